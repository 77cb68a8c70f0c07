import Foundation
import NKTestTraits
import Testing

@testable import NKProtocol
@testable import NKServer

/// The codes `ErrorCode` knows are the ones the OpenAPI document promises, and the server's own
/// request codes are all among them.
@Suite(.tags(.unit)) struct ErrorCodeDocumentTests {
    /// The codes listed in a description such as `A stable code: a, b (why), c.`
    static func listed(in description: String) -> Set<String> {
        let list = description.drop { $0 != ":" }.dropFirst()
        let withoutNotes = list.replacing(#/\([^)]*\)/#, with: "")
        return Set(
            withoutNotes.split(separator: ",").map {
                $0.trimmingCharacters(in: .whitespaces.union(CharacterSet(charactersIn: ".")))
            })
    }

    static func schema(_ name: String) -> [String: Any]? {
        ((OpenAPIContract.document["components"] as? [String: Any])?["schemas"] as? [String: Any])?[name]
            as? [String: Any]
    }

    @Test func theDocumentListsExactlyTheKnownCodes() throws {
        let error = try #require(
            ((Self.schema("Error")?["properties"] as? [String: Any])?["error"] as? [String: Any])?["properties"]
                as? [String: Any])
        let requestText = try #require((error["code"] as? [String: Any])?["description"] as? String)
        #expect(Self.listed(in: requestText) == Set(ErrorCode.requestErrors.map(\.rawValue)))

        let item = try #require(Self.schema("PushItemResult")?["properties"] as? [String: Any])
        let itemText = try #require((item["code"] as? [String: Any])?["description"] as? String)
        #expect(Self.listed(in: itemText) == Set(ErrorCode.itemRejections.map(\.rawValue)))
    }

    @Test func everyCodeARequestIsAnsweredWithIsKnown() {
        let answered: [ServerError.Code] = [
            .badRequest, .invalidJSON, .invalidCursor, .batchTooLarge, .unauthorized, .forbidden, .replicaMismatch,
            .readOnly, .notFound, .bodyTooLarge, .internal, .rateLimited, .methodNotAllowed, .unsupportedMediaType,
            .unavailable,
        ]
        for code in answered {
            #expect(ErrorCode.requestErrors.contains(code.errorCode), "\(code)")
        }
    }
}
