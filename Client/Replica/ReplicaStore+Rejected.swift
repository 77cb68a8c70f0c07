import Foundation
import GRDB
import NKProtocol

/// A local version the server refused, kept in the `rejected` table until the user settles it.
struct RejectedVersion: Sendable, Hashable {
    /// The row's id in `rejected`.
    var row: Int64
    /// The version as it was pushed (its `editor` is nil: the server never stamped it).
    var version: RecordVersion
    var code: ErrorCode
    var message: String
    var rejectedAt: Date?
}

/// How a rejected version stopped being outstanding (the `settled` column, migration `v5-rejected-settled`).
enum RejectionSettlement: String {
    /// A local edit of the record replaced it (it is pushed with the edit).
    case edited
    /// `nkclient discard` dropped it.
    case discarded
    /// A newer local edit of the record had already replaced it when the server's answer came (it
    /// is pushed with that edit); also rows of a record rejected again, kept before `settled` existed.
    case superseded
}

extension ReplicaStore {
    /// The rejected versions the user has not settled, oldest first (of one record when given).
    ///
    /// A row is outstanding while `settled` is NULL, unless a held version of its record dominates
    /// it or a later rejected version of the record does (rows kept before `settled` existed, whose
    /// record was edited again since).
    static func outstandingRejections(_ db: Database, type: RecordType? = nil, id: String? = nil) throws
        -> [RejectedVersion]
    {
        var sql = """
            SELECT id, recordType, recordId, vectorJSON, deleted, body, code, message, rejectedAt FROM rejected
            WHERE settled IS NULL
            """
        var arguments: StatementArguments = []
        if let type, let id {
            sql += " AND recordType = ? AND recordId = ?"
            arguments = [type.rawValue, id]
        }
        let decoder = Wire.makeDecoder()
        let rows = try Row.fetchAll(db, sql: sql + " ORDER BY id", arguments: arguments).compactMap {
            row -> RejectedVersion? in
            guard let type = RecordType(rawValue: row["recordType"]) else { return nil }
            let vectorJSON: String = row["vectorJSON"]
            let body = try StoredVersion.body(type, json: row["body"], decoder: decoder)
            let vector = try decoder.decode(VersionVector.self, from: Data(vectorJSON.utf8))
            let at: String? = row["rejectedAt"]
            return RejectedVersion(
                row: row["id"],
                version: RecordVersion(version: vector, deleted: row["deleted"], editor: nil, body: body),
                code: ErrorCode(rawValue: row["code"]), message: row["message"],
                rejectedAt: at.flatMap { ISO8601DateFormatter().date(from: $0) })
        }
        var result: [RejectedVersion] = []
        for (index, rejected) in rows.enumerated() {
            let version = rejected.version
            let later = rows[(index + 1)...].contains {
                $0.version.type == version.type && $0.version.id == version.id
                    && $0.version.version.dominates(version.version)
            }
            if later { continue }
            let held = try StoredVersion.fetchHeld(db, type: version.type, id: version.id)
            if held.contains(where: { $0.vector.dominates(version.version) }) { continue }
            result.append(rejected)
        }
        return result
    }

    /// The outstanding rejected version of a record: the newest, when several are.
    static func outstandingRejection(_ db: Database, type: RecordType, id: String) throws -> RejectedVersion? {
        try outstandingRejections(db, type: type, id: id).last
    }

    /// Marks every outstanding rejected version of a record settled. Returns how many rows changed.
    @discardableResult
    static func settleRejections(
        _ db: Database, type: RecordType, id: String, as settlement: RejectionSettlement, at date: Date
    ) throws -> Int {
        try db.execute(
            sql: """
                UPDATE rejected SET settled = ?, settledAt = ?
                WHERE recordType = ? AND recordId = ? AND settled IS NULL
                """,
            arguments: [settlement.rawValue, ISO8601DateFormatter().string(from: date), type.rawValue, id])
        return db.changesCount
    }
}
