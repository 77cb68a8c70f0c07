import Foundation
import GRDB
import NKProtocol

extension SQLiteStore {
    public func history(user: AuthenticatedUser, type: RecordType, id: String) async throws -> [HistoryEntry] {
        try await Self.wrap {
            try await pool.read { db in
                try HistoryEntry.readable(
                    current: VersionRecord.frontier(db, type: type, id: id),
                    superseded: Self.superseded(db, type: type, id: id),
                    by: ReadAccess.load(db, user: user), type: type)
            }
        }
    }

    /// The superseded versions of a record, in sequence order.
    static func superseded(_ db: Database, type: RecordType, id: String) throws -> [VersionRecord] {
        try VersionRecord.fetchAll(
            db.cachedStatement(sql: "SELECT * FROM history WHERE recordType = ? AND recordId = ? ORDER BY seq"),
            arguments: [type.rawValue, id])
    }

    /// One stored version of a record, current or superseded, by its canonical vector.
    static func storedVersion(_ db: Database, type: RecordType, id: String, vector: String) throws -> VersionRecord? {
        for table in ["versions", "history"] {
            if let row = try VersionRecord.fetchOne(
                db.cachedStatement(
                    sql: "SELECT * FROM \(table) WHERE recordType = ? AND recordId = ? AND vector = ?"),
                arguments: [type.rawValue, id, vector])
            {
                return row
            }
        }
        return nil
    }

    /// Moves a version a newer one replaces out of the frontier into `history`, with every column.
    static func supersede(_ db: Database, _ row: VersionRecord, at now: Date) throws {
        guard let seq = row.seq else { return }
        try db.cachedStatement(
            sql: """
                INSERT INTO history (seq, recordType, recordId, vector, vectorJSON, deleted, editor, author,
                    visibility, postId, body, storedAt, formerReaders, supersededAt)
                SELECT seq, recordType, recordId, vector, vectorJSON, deleted, editor, author, visibility, postId,
                    body, storedAt, formerReaders, ? FROM versions WHERE seq = ?
                """
        ).execute(arguments: [now, seq])
        try db.cachedStatement(sql: "DELETE FROM versions WHERE seq = ?").execute(arguments: [seq])
    }

    /// Every superseded version, in sequence order, for `nkserver migrate`.
    static func allHistory(_ db: Database) throws -> [HistoryRecord] {
        try Row.fetchAll(db, sql: "SELECT * FROM history ORDER BY seq").map { row in
            HistoryRecord(version: try VersionRecord(row: row), supersededAt: row["supersededAt"])
        }
    }

    /// Writes superseded versions as `nkserver migrate` read them.
    static func insertHistory(_ db: Database, _ records: [HistoryRecord]) throws {
        for record in records {
            let v = record.version
            try db.cachedStatement(
                sql: """
                    INSERT INTO history (seq, recordType, recordId, vector, vectorJSON, deleted, editor, author,
                        visibility, postId, body, storedAt, formerReaders, supersededAt)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """
            ).execute(
                arguments: [
                    v.seq, v.recordType, v.recordId, v.vector, v.vectorJSON, v.deleted, v.editor, v.author,
                    v.visibility, v.postId, v.body, v.storedAt, v.formerReaders, record.supersededAt,
                ])
        }
    }
}
