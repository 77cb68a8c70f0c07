import Foundation
import GRDB
import NKProtocol

extension SQLiteStore {
    /// A page of the change sequence (``ServerStore/changesJSON(user:since:limit:)``), spliced from
    /// the stored JSON of each version instead of decoding and encoding it again.
    ///
    /// Bodies and vectors are stored as `Wire.makeEncoder()` writes them (sorted keys), so the
    /// page is what encoding its ``PullResponse`` gives (`PullPageJSONPropertyTests`,
    /// `StorePullJSONTests`).
    public func changesJSON(user: AuthenticatedUser, since: Int64, limit: Int, threads: Bool) async throws -> Data {
        let pageSize = max(1, limit)
        return try await Self.wrap {
            try await pool.read { db in
                let latest = try Self.checkCursor(db, since)
                let statement = try db.cachedStatement(
                    sql: """
                        SELECT seq, recordType, recordId, vectorJSON, deleted, editor, author, visibility, body,
                            formerReaders
                        FROM versions WHERE seq > ? ORDER BY seq LIMIT ?
                        """)
                let access = try ReadAccess.load(db, user: user)
                var json = PullPageJSON()
                var count = 0
                var next = since
                var more = false
                let rows = try Row.fetchCursor(statement, arguments: [since, pageSize + 1])
                while let row = try rows.next() {
                    if count == pageSize {
                        more = true
                        break
                    }
                    let seq: Int64 = row[0]
                    let type: String = row[1]
                    guard RecordType(rawValue: type) != nil else {
                        throw ServerError(.internal, "a stored version has an unknown record type")
                    }
                    // A row the user may not see at all is covered by the page (count, next) but sent
                    // as nothing.
                    next = seq
                    count += 1
                    let readable = access.canRead(visibility: row[7], author: row[6])
                    guard readable || VersionRecord.isFormerReader(access.user, in: row[9]) else { continue }
                    let body: String = row[8]
                    if !threads, type == RecordType.annotation.rawValue, VersionRecord.isThread(body: body) { continue }
                    json.append(
                        seq: seq, type: type, id: row[2], vectorJSON: row[3], deleted: row[4], editor: row[5],
                        body: readable ? body : nil)
                }
                return json.finish(next: next, more: more, latest: latest)
            }
        }
    }
}

/// Writes `{"changes":[...],"latest":…,"more":…,"next":…}` with every object's keys in sorted order, as
/// `Wire.makeEncoder()` would.
struct PullPageJSON {
    private var bytes: [UInt8] = Array(#"{"changes":["#.utf8)
    private var first = true

    /// One change: a readable version (`body` given) or a hidden one (`body` nil: vector only).
    mutating func append(
        seq: Int64, type: String, id: String, vectorJSON: String, deleted: Bool, editor: String?, body: String?
    ) {
        if !first { bytes.append(UInt8(ascii: ",")) }
        first = false
        if let body {
            // RecordVersion's keys, sorted: annotation|post, deleted, editor, id, type, version.
            var fields: [(String, String)] = [
                (type, body), ("deleted", deleted ? "true" : "false"), ("id", Self.quoted(id)),
                ("type", Self.quoted(type)), ("version", vectorJSON),
            ]
            if let editor { fields.append(("editor", Self.quoted(editor))) }
            fields.sort { $0.0 < $1.0 }
            write(#"{"record":{"#)
            for (index, field) in fields.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                write(Self.quoted(field.0))
                bytes.append(UInt8(ascii: ":"))
                write(field.1)
            }
            write(#"},"seq":"#)
        } else {
            write(#"{"hidden":{"id":"#)
            write(Self.quoted(id))
            write(#","type":"#)
            write(Self.quoted(type))
            write(#","version":"#)
            write(vectorJSON)
            write(#"},"seq":"#)
        }
        write(String(seq))
        bytes.append(UInt8(ascii: "}"))
    }

    consuming func finish(next: Int64, more: Bool, latest: Int64) -> Data {
        write(#"],"latest":"#)
        write(String(latest))
        write(#","more":"#)
        write(more ? "true" : "false")
        write(#","next":"#)
        write(String(next))
        bytes.append(UInt8(ascii: "}"))
        return Data(bytes)
    }

    private mutating func write(_ text: String) {
        bytes.append(contentsOf: text.utf8)
    }

    /// A JSON string literal, escaped as JSONEncoder does with `.withoutEscapingSlashes`.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if scalar.value < 0x20 {
                    out +=
                        "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count)
                        + String(scalar.value, radix: 16)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
