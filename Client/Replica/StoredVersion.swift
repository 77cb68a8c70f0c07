import Foundation
import GRDB
import NKProtocol

/// A row of the replica's `versions` table: one version of the frontier of a record.
struct StoredVersion: FetchableRecord, Sendable, Hashable {
    var version: RecordVersion
    /// True while the server has not acknowledged this version (the outbox).
    var pending: Bool

    static let columns = "recordType, recordId, vector, vectorJSON, deleted, editor, body, pending"

    init(version: RecordVersion, pending: Bool) {
        self.version = version
        self.pending = pending
    }

    init(row: Row) throws {
        let typeText: String = row["recordType"]
        guard let type = RecordType(rawValue: typeText) else {
            throw ClientError(
                .storage, "the replica holds a version of an unknown record type '\(typeText.prefix(40))'")
        }
        let decoder = Wire.makeDecoder()
        let vectorJSON: String = row["vectorJSON"]
        let bodyJSON: String = row["body"]
        let vector = try decoder.decode(VersionVector.self, from: Data(vectorJSON.utf8))
        let body: RecordBody
        switch type {
        case .post: body = .post(try decoder.decode(Post.self, from: Data(bodyJSON.utf8)))
        case .annotation: body = .annotation(try decoder.decode(Annotation.self, from: Data(bodyJSON.utf8)))
        }
        version = RecordVersion(version: vector, deleted: row["deleted"], editor: row["editor"], body: body)
        pending = row["pending"]
    }

    /// Inserts the version (replacing a row with the same record and vector).
    func insert(_ db: Database) throws {
        let encoder = Wire.makeEncoder()
        let bodyJSON: Data
        var postId: String?
        switch version.body {
        case .post(let post): bodyJSON = try encoder.encode(post)
        case .annotation(let annotation):
            bodyJSON = try encoder.encode(annotation)
            postId = annotation.postId.rawValue
        }
        let vectorJSON = try encoder.encode(version.version)
        try db.execute(
            sql: """
                INSERT OR REPLACE INTO versions
                    (recordType, recordId, vector, vectorJSON, deleted, editor, postId, body, pending)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                version.type.rawValue, version.id, version.version.canonical,
                String(decoding: vectorJSON, as: UTF8.self), version.deleted, version.editor, postId,
                String(decoding: bodyJSON, as: UTF8.self), pending,
            ])
    }

    /// The frontier of one record, in sibling order.
    static func fetchFrontier(_ db: Database, type: RecordType, id: String) throws -> [StoredVersion] {
        try StoredVersion.fetchAll(
            db, sql: "SELECT \(columns) FROM versions WHERE recordType = ? AND recordId = ? ORDER BY vector",
            arguments: [type.rawValue, id]
        ).sorted { Frontier.siblingOrder($0.version.version, $1.version.version) }
    }

    /// Deletes the version of a record with this vector.
    static func delete(_ db: Database, type: RecordType, id: String, vector: VersionVector) throws {
        try db.execute(
            sql: "DELETE FROM versions WHERE recordType = ? AND recordId = ? AND vector = ?",
            arguments: [type.rawValue, id, vector.canonical])
    }
}
