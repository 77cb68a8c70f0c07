import Foundation
import GRDB
import NKProtocol

extension ReplicaStore {
    /// The oldest pending versions, posts first.
    static func pendingVersions(_ db: Database, limit: Int) throws -> [RecordVersion] {
        try StoredVersion.fetchAll(
            db,
            sql: """
                SELECT \(StoredVersion.columns) FROM versions WHERE pending = 1
                ORDER BY CASE recordType WHEN 'post' THEN 0 ELSE 1 END, rowid LIMIT ?
                """,
            arguments: [limit]
        ).map(\.version)
    }

    /// Marks a version acknowledged if that exact version is still held. Returns whether it was.
    @discardableResult
    static func acknowledge(_ db: Database, _ version: RecordVersion) throws -> Bool {
        try db.cachedStatement(
            sql: "UPDATE versions SET pending = 0 WHERE recordType = ? AND recordId = ? AND vector = ? AND pending = 1"
        ).execute(arguments: [version.type.rawValue, version.id, version.version.canonical])
        return db.changesCount > 0
    }

    /// Keeps a refused version in `rejected`; if it is still held, drops it and marks its record
    /// to be fetched again. Returns whether it was held.
    @discardableResult
    static func reject(_ db: Database, _ rejected: PushPlan.Rejected, at date: Date) throws -> Bool {
        let version = rejected.version
        let encoder = Wire.makeEncoder()
        let body: Data
        switch version.body {
        case .post(let post): body = try encoder.encode(post)
        case .annotation(let annotation): body = try encoder.encode(annotation)
        }
        try db.execute(
            sql: """
                INSERT INTO rejected (recordType, recordId, vector, vectorJSON, deleted, body, code, message, rejectedAt)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                version.type.rawValue, version.id, version.version.canonical,
                String(decoding: try encoder.encode(version.version), as: UTF8.self), version.deleted,
                String(decoding: body, as: UTF8.self), rejected.code, rejected.message,
                ISO8601DateFormatter().string(from: date),
            ])
        let held =
            try Bool.fetchOne(
                db, sql: "SELECT 1 FROM versions WHERE recordType = ? AND recordId = ? AND vector = ?",
                arguments: [version.type.rawValue, version.id, version.version.canonical]) ?? false
        guard held else { return false }
        try StoredVersion.delete(db, type: version.type, id: version.id, vector: version.version)
        try db.execute(
            sql: "INSERT OR IGNORE INTO refetch (recordType, recordId) VALUES (?, ?)",
            arguments: [version.type.rawValue, version.id])
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
