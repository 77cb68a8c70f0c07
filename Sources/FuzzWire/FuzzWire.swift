// libFuzzer target: a `POST /v1/push` body, decoded and validated the way the server does it
// (`Server/HTTP/PushRequest+Decoding.swift`, then `SQLiteStore.push` on each version), using NKProtocol only.
//
// Checks, besides "no crash, no ASan report": the decoder throws only `DecodingError`s; a refused version
// has a code and a message; the wire form of a decoded push, with the dates the server stamps, is stable
// (encoding it, decoding that with the wire decoder replicas use and encoding again gives the same bytes,
// and a second decode equals the first), and a version that validated still validates after the trip:
// the server stores what it encodes, replicas decode it. (The wire form, not the value, because the
// encoder drops fractions of a second.)
import Foundation
import NKProtocol

private func check(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError(message()) }
}

/// The wire decoder as `PushRequest.decode(body:)` sets it up: the server sets an annotation's dates from
/// its own clock, so any string is taken there (the epoch when Foundation cannot read it as ISO 8601).
private func serverDecoder() -> JSONDecoder {
    let decoder = Wire.makeDecoder()
    decoder.dateDecodingStrategy = .custom { decoder in
        let text = try decoder.singleValueContainer().decode(String.self)
        return (try? Date.ISO8601FormatStyle().parse(text)) ?? Date(timeIntervalSince1970: 0)
    }
    return decoder
}

/// The version as the server stores it: an annotation's `createdAt` and `updatedAt` set from its clock
/// (`PushRules.authorise`), so the dates a client sent never reach the wire again. (The decoders take
/// dates before year 1, which the encoder writes as `-0001-…`, a form they refuse: see RELIABILITY.md.)
private func stamped(_ version: RecordVersion) -> RecordVersion {
    guard case .annotation(var annotation) = version.body else { return version }
    let now = Date(timeIntervalSince1970: 1_700_000_000.25)
    annotation.createdAt = now
    annotation.updatedAt = now
    var version = version
    version.body = .annotation(annotation)
    return version
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let body = Data(bytes: start, count: count)
    // The server refuses a body that is not UTF-8 before decoding it.
    guard String(validating: body, as: UTF8.self) != nil else { return 0 }
    let push: PushRequest
    do {
        push = try serverDecoder().decode(PushRequest.self, from: body)
    } catch let error as DecodingError {
        // The server parses the body again to name an out-of-range counter.
        if case .dataCorrupted(let context) = error, context.codingPath.isEmpty {
            _ = try? JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed])
        }
        return 0
    } catch {
        fatalError("the decoder threw something other than a DecodingError: \(error)")
    }
    // The server refuses a malformed replica id for the whole request, then validates each version.
    let replicaIsValid = RecordVersion.isPlainIdentifier(push.replica.rawValue)
    var valid: [Bool] = []
    for version in push.versions {
        do {
            try version.validate()
            valid.append(true)
            if replicaIsValid { _ = version.version[push.replica] >= 1 }
        } catch {
            check(
                !error.code.rawValue.isEmpty && !error.message.isEmpty, "a validation failure without code or message")
            valid.append(false)
        }
    }

    do {
        let stored = PushRequest(replica: push.replica, versions: push.versions.map(stamped))
        let encoded = try Wire.makeEncoder().encode(stored)
        let again = try Wire.makeDecoder().decode(PushRequest.self, from: encoded)
        let reencoded = try Wire.makeEncoder().encode(again)
        check(reencoded == encoded, "the wire form of a push changes in an encode-decode round trip")
        check(
            try Wire.makeDecoder().decode(PushRequest.self, from: reencoded) == again,
            "a push changes in its second encode-decode round trip")
        for (version, wasValid) in zip(again.versions, valid) where wasValid {
            do {
                try version.validate()
            } catch {
                fatalError("a valid version is invalid after an encode-decode round trip: \(error)")
            }
        }
    } catch {
        fatalError("a decoded push does not survive an encode-decode round trip: \(error)")
    }
    return 0
}
