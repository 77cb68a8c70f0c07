import Foundation
import GRDB
import NKProtocol

extension ReplicaStore {
    /// The oldest pending versions, posts first, as stored: a push sends their JSON as it is.
    static func outbox(_ db: Database, limit: Int) throws -> [OutboxEntry] {
        let statement = try db.cachedStatement(
            sql: """
                SELECT recordType, recordId, vector, vectorJSON, deleted, body FROM versions WHERE pending = 1
                ORDER BY CASE recordType WHEN 'post' THEN 0 ELSE 1 END, rowid LIMIT ?
                """)
        return try Row.fetchAll(statement, arguments: [limit]).map { row in
            let typeText: String = row[0]
            guard let type = RecordType(rawValue: typeText) else {
                throw ClientError(
                    .storage, "the replica holds a version of an unknown record type '\(typeText.prefix(40))'")
            }
            let canonical: String = row[2]
            let vectorJSON: String = row[3]
            let vector =
                try VersionVector(canonical: canonical)
                ?? Wire.makeDecoder().decode(VersionVector.self, from: Data(vectorJSON.utf8))
            return OutboxEntry(
                type: type, id: row[1], version: vector, vectorJSON: vectorJSON, deleted: row[4], body: row[5])
        }
    }

    /// Marks a pending version acknowledged (its record, its vector) if it is still held.
    @discardableResult
    static func acknowledge(_ db: Database, _ entry: some PushedItem) throws -> Bool {
        try db.cachedStatement(
            sql: "UPDATE versions SET pending = 0 WHERE recordType = ? AND recordId = ? AND vector = ? AND pending = 1"
        ).execute(arguments: [entry.type.rawValue, entry.id, entry.version.canonical])
        return db.changesCount > 0
    }

    /// Keeps a refused outbox entry in `rejected` (its stored JSON as it is), outstanding until the
    /// user edits or discards it; if it is still held, drops it from the frontier (the server's
    /// versions of the record come back by a refetch, and a later edit builds on both) and marks its
    /// record to be fetched again. Returns whether it was held.
    @discardableResult
    static func reject(_ db: Database, _ rejected: PushPlan.Rejected<OutboxEntry>, at date: Date) throws -> Bool {
        let entry = rejected.version
        let held =
            try Bool.fetchOne(
                db, sql: "SELECT 1 FROM versions WHERE recordType = ? AND recordId = ? AND vector = ?",
                arguments: [entry.type.rawValue, entry.id, entry.version.canonical]) ?? false
        let stamp = ISO8601DateFormatter().string(from: date)
        // Not held: a newer local edit replaced it meanwhile and is pushed in its place.
        let settled: String? = held ? nil : RejectionSettlement.superseded.rawValue
        try db.execute(
            sql: """
                INSERT INTO rejected
                    (recordType, recordId, vector, vectorJSON, deleted, body, code, message, rejectedAt, settled, settledAt)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                entry.type.rawValue, entry.id, entry.version.canonical, entry.vectorJSON, entry.deleted, entry.body,
                rejected.code.rawValue, rejected.message, stamp, settled, held ? nil : stamp,
            ])
        guard held else { return false }
        try StoredVersion.delete(db, type: entry.type, id: entry.id, vector: entry.version)
        try db.execute(
            sql: "INSERT OR IGNORE INTO refetch (recordType, recordId) VALUES (?, ?)",
            arguments: [entry.type.rawValue, entry.id])
        return true
    }

    /// Records to fetch again because a pushed version of theirs was rejected.
    static func recordsToRefetch(_ db: Database) throws -> [RecordKey] {
        try Row.fetchAll(db, sql: "SELECT recordType, recordId FROM refetch ORDER BY recordType, recordId").compactMap {
            guard let type = RecordType(rawValue: $0["recordType"]) else { return nil }
            return RecordKey(type: type, id: $0["recordId"])
        }
    }

    static func clearRefetch(_ db: Database, _ key: RecordKey) throws {
        try db.execute(
            sql: "DELETE FROM refetch WHERE recordType = ? AND recordId = ?", arguments: [key.type.rawValue, key.id])
    }
}

/// A record's type and id.
struct RecordKey: Hashable, Sendable {
    var type: RecordType
    var id: String
}

/// A pending version as the replica stores it. A push sends its stored JSON spliced into the
/// request (`wireJSON`): the outbox is never decoded and encoded again to be sent.
struct OutboxEntry: PushedItem, Hashable {
    var type: RecordType
    var id: String
    var version: VersionVector
    var vectorJSON: String
    var deleted: Bool
    /// The post or annotation, as `Wire.makeEncoder()` wrote it.
    var body: String

    /// The version as a push carries it: `RecordVersion`'s JSON with its keys in sorted order, as
    /// `Wire.makeEncoder()` writes it, without `editor` (the server sets it from the token).
    var wireJSON: String {
        // Sorted keys: "annotation" < "deleted" < "id" < "post" < "type" < "version".
        let head = "\"deleted\":\(deleted),\"id\":\(OutboxEntry.quoted(id)),"
        let tail = "\"type\":\"\(type.rawValue)\",\"version\":\(vectorJSON)}"
        switch type {
        case .annotation: return "{\"annotation\":\(body)," + head + tail
        case .post: return "{" + head + "\"post\":\(body)," + tail
        }
    }

    /// A JSON string literal of `text`, escaped as `Wire.makeEncoder()` escapes it (a slash stays as
    /// it is).
    static func quoted(_ text: String) -> String {
        let data = (try? Wire.makeEncoder().encode(text)) ?? Data("\"\"".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
