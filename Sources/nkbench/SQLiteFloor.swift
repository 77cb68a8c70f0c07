import Foundation
import GRDB
import NKClient
import NKProtocol
import NKTestSupport

/// The raw SQLite limit: the very rows a workload stored, inserted again into a fresh database of
/// the same schema in one transaction with GRDB: no HTTP, no JSON, no version-vector work.
enum SQLiteFloor {
    struct Result {
        var rows: Int
        var seconds: Double
        var rowsPerSecond: Double { seconds > 0 ? Double(rows) / seconds : 0 }
    }

    static let serverColumns =
        "recordType, recordId, vector, vectorJSON, deleted, editor, author, visibility, postId, body, storedAt"
    static let replicaColumns = "recordType, recordId, vector, vectorJSON, deleted, editor, postId, body, pending"

    /// The annotation rows of a server database, inserted into a new server database (made by
    /// `nkserver user add`, so its schema is the server's own) opened as the server opens it: WAL,
    /// `synchronous = FULL`.
    static func server(from databasePath: String, serverBinary: URL) throws -> Result {
        let rows = try DatabaseQueue(path: databasePath).read { db in
            try Row.fetchAll(db, sql: "SELECT \(serverColumns) FROM versions WHERE recordType = 'annotation'")
        }
        let folder = try TemporaryFolder("nkbench-floor")
        defer { folder.remove() }
        let path = folder.path("floor.sqlite")
        let made = try runCommand(serverBinary, ["user", "add", "floor", "--db", path])
        guard made.succeeded else { throw HarnessError("cannot make the floor database: \(made)") }
        var configuration = Configuration()
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        let pool = try DatabasePool(path: path, configuration: configuration)
        try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        return try insert(rows, columns: serverColumns, into: pool)
    }

    /// The version rows of a replica, inserted into a new replica database (made by
    /// `Replica.create`, so with the client's schema, full-text triggers included).
    static func replica(from home: URL) throws -> Result {
        let rows = try DatabaseQueue(path: home.appendingPathComponent("replica.sqlite").path).read { db in
            try Row.fetchAll(db, sql: "SELECT \(replicaColumns) FROM versions")
        }
        let folder = try TemporaryFolder("nkbench-floor")
        defer { folder.remove() }
        let config = ClientConfig(server: "http://127.0.0.1:1", token: "floor", user: "floor", replica: .random())
        _ = try Replica.create(home: ReplicaHome(url: folder.url), config: config, replacing: false)
        let queue = try DatabaseQueue(path: folder.path("replica.sqlite"))
        return try insert(rows, columns: replicaColumns, into: queue)
    }

    private static func insert(_ rows: [Row], columns: String, into writer: any DatabaseWriter) throws -> Result {
        let count = columns.split(separator: ",").count
        let marks = Array(repeating: "?", count: count).joined(separator: ", ")
        let start = Date()
        try writer.write { db in
            let statement = try db.makeStatement(sql: "INSERT INTO versions (\(columns)) VALUES (\(marks))")
            for row in rows {
                try statement.execute(arguments: StatementArguments(row.databaseValues))
            }
        }
        return Result(rows: rows.count, seconds: Date().timeIntervalSince(start))
    }
}
