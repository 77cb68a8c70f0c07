import Foundation
import GRDB
import NKProtocol
import NKTestSupport

/// Writes annotations straight into a stopped server's store, as its own push would store them
/// (same columns, same JSON encoder): the fast way to build a server that holds 100k or 1M
/// annotations before a pull or delta measurement. SQLite: GRDB, transactions of 10,000 rows.
/// PostgreSQL: psql's `\copy` of CSV files of 100,000 rows, numbered after the store's last
/// sequence number, which is then moved past them (as the store's own writers do), then analysed.
struct DirectLoader {
    let corpus: BenchCorpus
    let store: BenchStore
    let author: String
    let replica: ReplicaID
    let salt: Int

    static let date = Date(timeIntervalSince1970: 1_710_000_000)

    /// One loaded annotation as the server stores it.
    struct Row {
        var id: String
        var postId: String
        var body: String
    }

    func load(count: Int) throws {
        switch store {
        case .sqlite(let path): try loadSQLite(path: path, count: count)
        case .postgres(let url): try loadPostgres(url: url, count: count)
        }
    }

    private var vector: VersionVector { VersionVector([replica: 1]) }

    private func vectorJSON() throws -> String {
        String(decoding: try Wire.makeEncoder().encode(vector), as: UTF8.self)
    }

    /// Annotations `range` of this load, encoded as the server encodes them.
    private func rows(_ range: Range<Int>, _ body: (Row) throws -> Void) throws {
        let encoder = Wire.makeEncoder()
        for index in range {
            let id = BenchCorpus.annotationID(salt: salt, index: index)
            let annotation = try corpus.annotation(
                id: id, index: index, author: author, note: BenchCorpus.note(index), date: Self.date)
            try body(
                Row(
                    id: id.rawValue, postId: annotation.postId.rawValue,
                    body: String(decoding: try encoder.encode(annotation), as: UTF8.self)))
        }
    }

    private func loadSQLite(path: String, count: Int) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        let pool = try DatabasePool(path: path, configuration: configuration)
        let vectorJSON = try vectorJSON()
        let date = Self.date
        try pool.write { db in
            let userId = try Int64.fetchOne(db, sql: "SELECT id FROM users WHERE name = ?", arguments: [author])
            try db.execute(
                sql: "INSERT OR IGNORE INTO replicas (id, userId, firstSeenAt) VALUES (?, ?, ?)",
                arguments: [replica.rawValue, userId, date])
        }
        var next = 0
        while next < count {
            let end = min(count, next + 10_000)
            try pool.write { db in
                let statement = try db.makeStatement(
                    sql: """
                        INSERT INTO versions (recordType, recordId, vector, vectorJSON, deleted, editor, author,
                            visibility, postId, body, storedAt)
                        VALUES ('annotation', ?, ?, ?, 0, ?, ?, 'shared', ?, ?, ?)
                        """)
                try rows(next..<end) { row in
                    try statement.execute(arguments: [
                        row.id, vector.canonical, vectorJSON, author, author, row.postId, row.body, date,
                    ])
                }
            }
            next = end
        }
    }

    private func loadPostgres(url: String, count: Int) throws {
        let storedAt = ISO8601DateFormatter().string(from: Self.date)
        _ = try TestPostgres.query(
            url,
            """
            INSERT INTO nk_replicas (id, user_id, first_seen_at)
            SELECT \(Self.literal(replica.rawValue)), id, '\(storedAt)' FROM nk_users WHERE name = \(Self.literal(author))
            ON CONFLICT (id) DO NOTHING
            """)
        guard let last = Int64(try TestPostgres.query(url, "SELECT last FROM nk_sequence WHERE id = 1")) else {
            throw HarnessError("cannot read the last sequence number of the PostgreSQL store")
        }
        let folder = try TemporaryFolder("nkbench-copy")
        defer { folder.remove() }
        let file = folder.path("versions.csv")
        let fixed = [vector.canonical, try vectorJSON()].map(Self.csv).joined(separator: ",")
        let person = Self.csv(author)
        var next = 0
        while next < count {
            let end = min(count, next + 100_000)
            var text = ""
            var seq = last + Int64(next)
            try rows(next..<end) { row in
                seq += 1
                text += "\(seq),annotation,\(Self.csv(row.id)),\(fixed),f,\(person),\(person),shared,"
                text += "\(Self.csv(row.postId)),\(Self.csv(row.body)),\(storedAt)\n"
            }
            try text.write(toFile: file, atomically: false, encoding: .utf8)
            _ = try TestPostgres.query(
                url,
                "\\copy nk_versions (seq, record_type, record_id, vector, vector_json, deleted, editor, author, "
                    + "visibility, post_id, body, stored_at) FROM '\(file)' WITH (FORMAT csv)")
            next = end
        }
        _ = try TestPostgres.query(url, "UPDATE nk_sequence SET last = \(last + Int64(count)) WHERE id = 1")
        // Statistics as autovacuum would gather them soon after a bulk load, so that the measured
        // plans are those of a database in service rather than of one never analysed.
        _ = try TestPostgres.query(url, "ANALYZE")
    }

    /// A CSV field: quoted, inner quotes doubled.
    static func csv(_ value: String) -> String {
        "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// A SQL string literal.
    static func literal(_ value: String) -> String {
        "'" + value.replacingOccurrences(of: "'", with: "''") + "'"
    }
}
