import Foundation
import NKProtocol
import NKTestTraits
import PropertyBased
import Testing

@testable import NKServer

/// A pull page is spliced from stored JSON (``PullPageJSON``, with its own string escaper), and the
/// sync route adds `replicaHighWater` to it by splicing again (``PullPageJSON/adding(replicaHighWater:to:)``).
/// Both must be, byte for byte, what `Wire.makeEncoder()` writes for the same ``PullResponse``.
@Suite(.tags(.unit)) struct PullPageJSONPropertyTests {
    /// One change of a page: a version, sent whole when the reader may read it, else hidden.
    struct Row: Sendable, CustomStringConvertible {
        var seq: Int64
        var version: RecordVersion
        var readable: Bool

        var description: String { "\(seq) \(readable ? "" : "hidden ")\(version)" }
    }

    @Test func aSplicedPageIsTheEncodedPage() async throws {
        let encoder = Wire.makeEncoder()
        await propertyCheck(
            count: 400,
            input: PullPageInput.row.array(of: 0...5), PullPageInput.sequence, Gen.bool, PullPageInput.sequence,
            PullPageInput.highWater
        ) { rows, next, more, latest, highWater in
            var json = PullPageJSON()
            for row in rows {
                let body: Data =
                    switch row.version.body {
                    case .post(let post): try encoder.encode(post)
                    case .annotation(let annotation): try encoder.encode(annotation)
                    }
                json.append(
                    seq: row.seq, type: row.version.type.rawValue, id: row.version.id,
                    vectorJSON: String(decoding: try encoder.encode(row.version.version), as: UTF8.self),
                    deleted: row.version.deleted, editor: row.version.editor,
                    body: row.readable ? String(decoding: body, as: UTF8.self) : nil)
            }
            var spliced = json.finish(next: next, more: more, latest: latest)
            if let highWater { spliced = PullPageJSON.adding(replicaHighWater: highWater, to: spliced) }

            let page = PullResponse(
                changes: rows.map { row in
                    row.readable
                        ? Change(seq: row.seq, record: row.version)
                        : Change(
                            seq: row.seq,
                            hidden: HiddenVersion(
                                type: row.version.type, id: row.version.id, version: row.version.version))
                },
                next: next, more: more, latest: latest, replicaHighWater: highWater)
            #expect(
                String(decoding: spliced, as: UTF8.self) == String(decoding: try encoder.encode(page), as: UTF8.self))
        }
    }

    /// The escaper alone, on any text: what `Wire.makeEncoder()` writes for a string.
    @Test func quotedIsTheEncodedString() async throws {
        let encoder = Wire.makeEncoder()
        await propertyCheck(count: 2000, input: PullPageInput.text) { text in
            let encoded = try encoder.encode(text)
            #expect(PullPageJSON.quoted(text) == String(decoding: encoded, as: UTF8.self))
        }
    }
}

/// Pages whose ids, editors and texts are hostile to a JSON writer, with counters and sequence
/// numbers at their limits.
enum PullPageInput {
    /// Quotes, backslashes, slashes, every C0 control, DEL, C1, the line and paragraph separators,
    /// an astral emoji and a regional indicator, a lone combining mark, a byte-order mark.
    static let hostile: [UnicodeScalar] =
        [
            "\"", "\\", "/", "\u{7F}", "\u{85}", "\u{9F}", "\u{2028}", "\u{2029}", "\u{1F4F0}", "\u{1F1FA}", "\u{308}",
            "\u{FEFF}", "ü",
        ] + (0...0x1F).map { UnicodeScalar(UInt8($0)) }

    /// Up to 10 scalars: half of them hostile, the rest any scalar of Unicode.
    static let text = Generator<UnicodeScalar, Shrink.None<UnicodeScalar>> { rng in
        if Bool.random(using: &rng) { return hostile.randomElement(using: &rng) ?? "x" }
        let value = UInt32.random(in: 0x20...0x10_FFFF - 0x800, using: &rng)
        return UnicodeScalar(value < 0xD800 ? value : value + 0x800) ?? "x"
    }
    .array(of: 0...10).map { String(String.UnicodeScalarView($0)) }

    /// Sequence numbers from 0 to `Int64.max`, the edges more often.
    static let sequence = Generator<Int64, Shrink.None<Int64>> { rng in
        Bool.random(using: &rng)
            ? [0, 1, (1 << 53) + 1, .max].randomElement(using: &rng) ?? 0 : Int64.random(in: 0...(.max), using: &rng)
    }

    static let highWater = Generator<UInt64?, Shrink.None<UInt64?>> { rng in
        [nil, 0, 1 << 53, .max, UInt64.random(in: 0...(.max), using: &rng)].randomElement(using: &rng) ?? nil
    }

    static let row = Generator<PullPageJSONPropertyTests.Row, Shrink.None<PullPageJSONPropertyTests.Row>> { rng in
        func text() -> String { PullPageInput.text.run(using: &rng) }
        var counters: [ReplicaID: UInt64] = [:]
        for index in 0..<Int.random(in: 1...3, using: &rng) {
            counters[ReplicaID("r\(index)")] = [1, 1 << 53, .max, UInt64.random(in: 1...(.max), using: &rng)]
                .randomElement(using: &rng)
        }
        let body: RecordBody =
            Bool.random(using: &rng)
            ? .post(Post(id: PostID(text()), title: text(), body: [text()], category: text(), source: text()))
            : .annotation(
                Annotation(
                    id: AnnotationID(text()), postId: PostID(text()),
                    anchor: Anchor(exact: text(), prefix: text(), suffix: text(), start: 0, end: 1), note: text(),
                    tags: [text()], visibility: .group(text()), author: text(),
                    createdAt: Date(timeIntervalSince1970: 1_700_000_000), updatedAt: Date(timeIntervalSince1970: 0)))
        let version = RecordVersion(
            version: VersionVector(counters), deleted: Bool.random(using: &rng),
            editor: Bool.random(using: &rng) ? text() : nil, body: body)
        return PullPageJSONPropertyTests.Row(
            seq: PullPageInput.sequence.run(using: &rng), version: version, readable: Bool.random(using: &rng))
    }
}
