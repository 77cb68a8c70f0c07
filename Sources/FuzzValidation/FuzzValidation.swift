// libFuzzer target: the request validators (`Protocol/Validation.swift`) on decoded values.
//
// The first byte picks what the rest is: `p` a Post, `a` an Annotation, `c` a Change (a pulled record or
// hidden version), `r` a RecordVersion; any other byte picks one of these by its value. The rest is JSON,
// decoded with the wire decoder, then validated as the server validates a pushed version and the client a
// local edit.
//
// Checks, besides "no crash, no ASan report": a refusal has a code and a message; the wire form of a value
// that validates, with its annotation dates set from a clock as the server (or a client, for its own
// edits) sets them, is stable (encode, decode, encode gives the same bytes; a second decode equals the
// first), and it still validates after the trip (the server stores what it encodes, replicas decode it).
// The wire form rather than the value, because the encoder drops fractions of a second.
import Foundation
import NKProtocol

private func check(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError(message()) }
}

/// A clock's time, with a fraction of a second.
private let now = Date(timeIntervalSince1970: 1_700_000_000.25)

/// The annotation with the dates a clock gives it: the server stamps both on every pushed annotation
/// (`PushRules.authorise`), so the dates a value arrived with never reach the wire again. (The decoder
/// takes dates before year 1, which the encoder writes as `-0001-…`, a form it refuses: see RELIABILITY.md.)
private func stamped(_ annotation: Annotation) -> Annotation {
    var annotation = annotation
    annotation.createdAt = now
    annotation.updatedAt = now
    return annotation
}

private func stamped(_ version: RecordVersion) -> RecordVersion {
    guard case .annotation(let annotation) = version.body else { return version }
    var version = version
    version.body = .annotation(stamped(annotation))
    return version
}

/// Decodes, validates, and checks that a valid value, `stamp`ed, survives the wire encoder and decoder.
private func decodeAndValidate<T: Codable & Equatable>(
    _ type: T.Type, _ data: Data, stamp: (T) -> T, validate: (T) throws(ValidationFailure) -> Void
) {
    guard let value = try? Wire.makeDecoder().decode(T.self, from: data) else { return }
    do {
        try validate(value)
    } catch {
        check(!error.code.rawValue.isEmpty && !error.message.isEmpty, "a validation failure without code or message")
        return
    }
    do {
        let encoded = try Wire.makeEncoder().encode(stamp(value))
        let again = try Wire.makeDecoder().decode(T.self, from: encoded)
        let reencoded = try Wire.makeEncoder().encode(again)
        check(reencoded == encoded, "the wire form of a valid \(T.self) changes in an encode-decode round trip")
        check(
            try Wire.makeDecoder().decode(T.self, from: reencoded) == again,
            "a valid \(T.self) changes in its second encode-decode round trip")
        try validate(again)
    } catch {
        fatalError("a valid \(T.self) does not survive an encode-decode round trip: \(error)")
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    guard count > 0 else { return 0 }
    let input = Data(bytes: start, count: count)
    let rest = input.dropFirst()
    let modes: [UInt8] = Array("pacr".utf8)
    let first = input[0]
    switch modes.contains(first) ? first : modes[Int(first) % modes.count] {
    case UInt8(ascii: "p"):
        decodeAndValidate(Post.self, rest, stamp: { $0 }) { (post) throws(ValidationFailure) in try post.validate() }
    case UInt8(ascii: "a"):
        decodeAndValidate(Annotation.self, rest, stamp: stamped) { (annotation) throws(ValidationFailure) in
            try annotation.validate()
        }
    case UInt8(ascii: "c"):
        let stamp = { (change: Change) -> Change in
            var change = change
            change.record = change.record.map(stamped)
            return change
        }
        decodeAndValidate(Change.self, rest, stamp: stamp) { (change) throws(ValidationFailure) in
            if let record = change.record { try record.validate() }
            if let hidden = change.hidden { try RecordVersion.validateVector(hidden.version) }
        }
    default:
        decodeAndValidate(RecordVersion.self, rest, stamp: stamped) { (version) throws(ValidationFailure) in
            try version.validate()
        }
    }
    return 0
}
