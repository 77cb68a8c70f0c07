import Foundation
import NKTestTraits
import Testing

@testable import NKProtocol

/// The codes are the wire's: their strings never change, and a code a newer server invents still
/// reaches an older client intact.
@Suite(.tags(.unit)) struct ErrorCodeTests {
    /// Every known code and its text on the wire, written out: renaming a member must not move it.
    static let wire: [(ErrorCode, String)] = [
        (.badRequest, "bad_request"), (.invalidJSON, "invalid_json"), (.invalidCursor, "invalid_cursor"),
        (.batchTooLarge, "batch_too_large"), (.unauthorized, "unauthorized"), (.forbidden, "forbidden"),
        (.replicaMismatch, "replica_mismatch"), (.readOnly, "read_only"), (.notFound, "not_found"),
        (.methodNotAllowed, "method_not_allowed"), (.bodyTooLarge, "body_too_large"),
        (.unsupportedMediaType, "unsupported_media_type"), (.rateLimited, "rate_limited"), (.internal, "internal"),
        (.unavailable, "unavailable"), (.invalidRecord, "invalid_record"), (.invalidVersion, "invalid_version"),
        (.unknownCausality, "unknown_causality"), (.unknownGroup, "unknown_group"), (.unknownPost, "unknown_post"),
        (.quoteNotFound, "quote_not_found"), (.unknownParent, "unknown_parent"),
    ]

    @Test func everyCodeKeepsItsTextOnTheWire() throws {
        let encoder = Wire.makeEncoder()
        for (code, text) in Self.wire {
            #expect(code.rawValue == text)
            let body = try encoder.encode(ErrorResponse(code: code, message: "m"))
            #expect(String(decoding: body, as: UTF8.self) == #"{"error":{"code":"\#(text)","message":"m"}}"#)
            let item = PushItemResult(
                type: .post, id: "p", version: VersionVector([ReplicaID("r"): 1]), status: .rejected, code: code)
            #expect(String(decoding: try encoder.encode(item), as: UTF8.self).contains(#""code":"\#(text)""#))
            #expect(try Wire.makeDecoder().decode(ErrorResponse.self, from: body).error.code == code)
        }
        let listed = ErrorCode.requestErrors + ErrorCode.itemRejections
        #expect(Set(listed) == Set(Self.wire.map(\.0)), "the two lists name every code, and only those")
        #expect(Set(ErrorCode.requestErrors).count == ErrorCode.requestErrors.count)
        #expect(Set(ErrorCode.itemRejections).count == ErrorCode.itemRejections.count)
    }

    /// A newer server's code decodes, equals no known code, and is sent on as it came.
    @Test(arguments: ["archived_post", "", "READ_ONLY", "read_only ", "\u{1B}[2J"])
    func anUnknownCodeStillDecodes(_ text: String) throws {
        let escaped = String(decoding: try Wire.makeEncoder().encode(text), as: UTF8.self)
        let body = Data(#"{"error":{"code":\#(escaped),"message":"m"}}"#.utf8)
        let code = try Wire.makeDecoder().decode(ErrorResponse.self, from: body).error.code
        #expect(code.rawValue == text)
        #expect(!Self.wire.contains { $0.0 == code })
        #expect(try Wire.makeEncoder().encode(ErrorResponse(code: code, message: "m")) == body)

        let item = Data(
            #"{"code":\#(escaped),"id":"p","status":"rejected","type":"post","version":{"r":1}}"#.utf8)
        #expect(try Wire.makeDecoder().decode(PushItemResult.self, from: item).code?.rawValue == text)
    }

    @Test func validationFailuresCarryTheirCodes() {
        #expect(throws: ValidationFailure(code: .invalidVersion, "the version vector is empty")) {
            try RecordVersion.validateVector(VersionVector())
        }
        #expect(ValidationFailure("x").code == .invalidRecord)
    }
}
