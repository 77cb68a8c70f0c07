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
        let body = try Self.body(type, json: bodyJSON, decoder: decoder)
        version = RecordVersion(version: vector, deleted: row["deleted"], editor: row["editor"], body: body)
        pending = row["pending"]
    }

    /// A post or annotation from the JSON the replica stores it as (in `versions` and `rejected`).
    static func body(_ type: RecordType, json: String, decoder: JSONDecoder) throws -> RecordBody {
        switch type {
        case .post: .post(try decoder.decode(Post.self, from: Data(json.utf8)))
        case .annotation: .annotation(try decoder.decode(Annotation.self, from: Data(json.utf8)))
        }
    }

    /// Inserts the version (replacing a row with the same record and vector). Pass one `encoder`
    /// when inserting many.
    func insert(_ db: Database, encoder: JSONEncoder = Wire.makeEncoder()) throws {
        let bodyJSON: Data
        var postId: String?
        switch version.body {
        case .post(let post): bodyJSON = try encoder.encode(post)
        case .annotation(let annotation):
            bodyJSON = try encoder.encode(annotation)
            postId = annotation.postId.rawValue
        }
        let vectorJSON = try encoder.encode(version.version)
        try db.cachedStatement(
            sql: """
                INSERT OR REPLACE INTO versions
                    (recordType, recordId, vector, vectorJSON, deleted, editor, postId, body, pending)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(
            arguments: [
                version.type.rawValue, version.id, version.version.canonical,
                String(decoding: vectorJSON, as: UTF8.self), version.deleted, version.editor, postId,
                String(decoding: bodyJSON, as: UTF8.self), pending,
            ])
    }

    /// The frontier of one record, in sibling order.
    static func fetchFrontier(_ db: Database, type: RecordType, id: String) throws -> [StoredVersion] {
        try StoredVersion.fetchAll(
            db.cachedStatement(
                sql: "SELECT \(columns) FROM versions WHERE recordType = ? AND recordId = ? ORDER BY vector"),
            arguments: [type.rawValue, id]
        ).sorted { Frontier.siblingOrder($0.version.version, $1.version.version) }
    }

    /// Moves the version of a record with this vector out of the frontier into `history`, where
    /// `nkclient history` finds it offline.
    static func supersede(_ db: Database, type: RecordType, id: String, vector: VersionVector) throws {
        try db.cachedStatement(
            sql: """
                INSERT OR IGNORE INTO history
                    (recordType, recordId, vector, vectorJSON, deleted, editor, postId, body, supersededAt)
                SELECT recordType, recordId, vector, vectorJSON, deleted, editor, postId, body, ?
                FROM versions WHERE recordType = ? AND recordId = ? AND vector = ?
                """
        ).execute(arguments: [ISO8601DateFormatter().string(from: Date()), type.rawValue, id, vector.canonical])
        try delete(db, type: type, id: id, vector: vector)
    }

    /// The superseded versions of one record this replica has held.
    static func fetchSuperseded(_ db: Database, type: RecordType, id: String) throws -> [StoredVersion] {
        try StoredVersion.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT recordType, recordId, vector, vectorJSON, deleted, editor, body, 0 AS pending
                    FROM history WHERE recordType = ? AND recordId = ?
                    """),
            arguments: [type.rawValue, id])
    }

    /// Deletes the version of a record with this vector.
    static func delete(_ db: Database, type: RecordType, id: String, vector: VersionVector) throws {
        try db.cachedStatement(sql: "DELETE FROM versions WHERE recordType = ? AND recordId = ? AND vector = ?")
            .execute(arguments: [type.rawValue, id, vector.canonical])
    }

    /// The vectors of one record's frontier and whether each is pending, without decoding bodies:
    /// all the frontier rule needs (applying a pulled version, acknowledging a pushed one). The
    /// canonical text is read; the JSON form only if that text is not canonical.
    static func fetchHeld(_ db: Database, type: RecordType, id: String) throws -> [HeldVersion] {
        let statement = try db.cachedStatement(
            sql:
                "SELECT vector, vectorJSON, pending FROM versions WHERE recordType = ? AND recordId = ? ORDER BY vector"
        )
        return try Row.fetchAll(statement, arguments: [type.rawValue, id]).map { row in
            let text: String = row[0]
            let vector: VersionVector
            if let parsed = VersionVector(canonical: text) {
                vector = parsed
            } else {
                let json: String = row[1]
                vector = try Wire.makeDecoder().decode(VersionVector.self, from: Data(json.utf8))
            }
            return HeldVersion(vector: vector, pending: row[2])
        }
    }
}

/// One held version of a record, as far as the frontier rule needs it.
struct HeldVersion: Hashable, Sendable {
    var vector: VersionVector
    var pending: Bool
}
