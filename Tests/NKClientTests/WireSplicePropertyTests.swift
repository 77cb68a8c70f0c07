import Foundation
import GRDB
import NKProtocol
import NKTestTraits
import PropertyBased
import Testing

@testable import NKClient

/// A push is written by splicing, not by `Wire.makeEncoder()`: each outbox entry's stored JSON
/// (``OutboxEntry/wireJSON``) and the request around it (``ServerAPI/pushBody(replica:encodedVersions:)``).
/// Both must be, byte for byte, what encoding the same versions gives, for any text a version may hold.
@Suite(.tags(.unit)) struct WireSplicePropertyTests {
    /// One pending version goes into a replica and comes out of its outbox as the wire JSON of that
    /// version without its editor (the server sets it from the token).
    @Test func anOutboxEntryIsTheEncodedVersion() async throws {
        let encoder = Wire.makeEncoder()
        await propertyCheck(count: 300, input: HostileRecords.version) { version in
            let queue = try ReplicaDatabase.openInMemory()
            let entries = try await queue.write { db in
                try StoredVersion(version: version, pending: true).insert(db)
                return try ReplicaStore.outbox(db, limit: 10)
            }
            let expected = String(decoding: try encoder.encode(PushPlan.wireVersion(version)), as: UTF8.self)
            #expect(entries.map(\.wireJSON) == [expected])
        }
    }

    /// The request spliced around versions already encoded is the encoded ``PushRequest``, for any
    /// replica id and any number of versions, none included.
    @Test func aPushBodyIsTheEncodedRequest() async throws {
        let encoder = Wire.makeEncoder()
        await propertyCheck(count: 300, input: HostileRecords.text, HostileRecords.version.array(of: 0...4)) {
            replica, versions in
            let sent = versions.map(PushPlan.wireVersion)
            let encoded = try sent.map { String(decoding: try encoder.encode($0), as: UTF8.self) }
            let request = PushRequest(replica: ReplicaID(replica), versions: sent)
            let body = ServerAPI.pushBody(replica: ReplicaID(replica), encodedVersions: encoded)
            #expect(
                String(decoding: body, as: UTF8.self) == String(decoding: try encoder.encode(request), as: UTF8.self))
            #expect(try Wire.makeDecoder().decode(PushRequest.self, from: body) == request)
        }
    }
}

/// Record versions whose every text field is hostile to a JSON writer.
enum HostileRecords {
    /// Quotes, backslashes and slashes; every C0 control, DEL and C1 controls; the line and
    /// paragraph separators (which JavaScript once refused raw); astral emoji, a flag's half, a lone
    /// combining mark, a byte-order mark.
    static let scalars: [UnicodeScalar] =
        [
            "\"", "\\", "/", "\u{7F}", "\u{80}", "\u{85}", "\u{9F}", "\u{2028}", "\u{2029}", "\u{1F600}", "\u{1F1EB}",
            "\u{301}", "\u{FEFF}", "\u{FFFD}", "é", "a", " ",
        ] + (0...0x1F).map { UnicodeScalar(UInt8($0)) }

    /// One of ``scalars``, printable ASCII, or any scalar of Unicode.
    static let scalar = Generator<UnicodeScalar, Shrink.None<UnicodeScalar>> { rng in
        switch Int.random(in: 0..<4, using: &rng) {
        case 0, 1:
            return scalars.randomElement(using: &rng) ?? "a"
        case 2:
            return UnicodeScalar(UInt8.random(in: 0x20...0x7E, using: &rng))
        default:
            let value = UInt32.random(in: 0...0x10_FFFF - 0x800, using: &rng)
            // Skips the surrogates, which are not scalars.
            return UnicodeScalar(value < 0xD800 ? value : value + 0x800) ?? "a"
        }
    }

    /// Strings of 0 to 12 scalars (shrinking towards fewer).
    static let text = scalar.array(of: 0...12).map { String(String.UnicodeScalarView($0)) }

    /// ``text`` without NUL, for the ids a replica keeps in a column of its own: SQLite cuts a
    /// column's text at a NUL, which is why validation refuses NUL in every text field (ids inside
    /// the stored body JSON are escaped and keep it).
    static let id = text.filter { !$0.unicodeScalars.contains("\0") }

    /// 1, small, 2^53 and its neighbours, and the largest counters a UInt64 holds.
    static func counter(_ rng: inout some RandomNumberGenerator) -> UInt64 {
        let edges: [UInt64] = [1, 2, (1 << 53) - 1, 1 << 53, (1 << 53) + 1, UInt64(Int64.max), .max]
        return Bool.random(using: &rng)
            ? edges.randomElement(using: &rng) ?? 1 : UInt64.random(in: 1...UInt64.max, using: &rng)
    }

    /// A vector of 1 to 4 replicas. Its keys are plain replica ids: a vector's canonical text, which
    /// the replica stores beside its JSON, is only defined for those.
    static func vector(_ rng: inout some RandomNumberGenerator) -> VersionVector {
        var counters: [ReplicaID: UInt64] = [:]
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            counters[ReplicaID("r\(Int.random(in: 0...99, using: &rng))")] = counter(&rng)
        }
        return VersionVector(counters)
    }

    static let version = Generator<RecordVersion, Shrink.None<RecordVersion>> { rng in
        func text() -> String { HostileRecords.text.run(using: &rng) }
        func maybe() -> String? { Bool.random(using: &rng) ? text() : nil }
        func id() -> String { HostileRecords.id.run(using: &rng) }
        let body: RecordBody
        if Bool.random(using: &rng) {
            body = .post(
                Post(
                    id: PostID(id()), title: text(), body: (0..<Int.random(in: 0...3, using: &rng)).map { _ in text() },
                    category: text(), source: maybe(), editorNote: maybe(), continued: Bool.random(using: &rng),
                    author: maybe(), date: maybe(), url: maybe()))
        } else {
            let start = Int.random(in: -2...Int(Int32.max), using: &rng)
            let visibility: [Visibility] = [.shared, .private, .group(text())]
            body = .annotation(
                Annotation(
                    id: AnnotationID(id()), postId: PostID(text()),
                    anchor: Anchor(
                        exact: text(), prefix: text(), suffix: text(), start: start,
                        end: start + Int.random(in: 0...100, using: &rng),
                        postVersion: Bool.random(using: &rng) ? vector(&rng) : nil),
                    note: text(), tags: (0..<Int.random(in: 0...3, using: &rng)).map { _ in text() },
                    visibility: visibility.randomElement(using: &rng) ?? .shared, author: text(),
                    createdAt: Date(timeIntervalSince1970: Double(Int.random(in: 0...4_000_000_000, using: &rng))),
                    updatedAt: Date(timeIntervalSince1970: Double(Int.random(in: 0...4_000_000_000, using: &rng)))))
        }
        return RecordVersion(
            version: vector(&rng), deleted: Bool.random(using: &rng), editor: maybe(), body: body)
    }
}
