import Foundation
import GRDB
import NKTestSupport
import NKTestTraits
import Testing

@testable import NKClient

/// A migration that fails leaves the replica exactly as it was and says so in one line; nothing
/// deletes or rebuilds a replica to get past one (issue 19).
@Suite(.tags(.unit)) struct ReplicaMigrationTests {
    /// A replica a shipped nkclient wrote (Tests/Fixtures), copied into a temporary folder and brought
    /// up to the current schema (closed again, its WAL folded in), so that a migration a test adds is
    /// the first to run.
    func fixtureReplica() throws -> (folder: TemporaryFolder, url: URL) {
        let folder = try TemporaryFolder("nk-migration")
        let url = folder.url.appendingPathComponent("replica.sqlite")
        try FileManager.default.copyItem(
            at: TestPaths.repositoryRoot.appendingPathComponent("Tests/Fixtures/schema1-5cd0e17/carol/replica.sqlite"),
            to: url)
        try ReplicaDatabase.open(at: url).close()
        return (folder, url)
    }

    @Test func aFailingMigrationLeavesTheReplicaAsItWasAndSaysSoInOneLine() throws {
        let (folder, url) = try fixtureReplica()
        defer { folder.remove() }
        // Given the replica at the current schema (the migrations shipped since the fixture applied,
        // the database closed, so its WAL is folded in)
        do { _ = try ReplicaDatabase.open(at: url) }
        let before = try Data(contentsOf: url)
        var migrator = ReplicaDatabase.migrator
        migrator.registerMigration("v99-fails-halfway") { db in
            // and a migration that changes a table, adds one, and then fails
            try db.execute(sql: "UPDATE versions SET pending = 0; CREATE TABLE later (id INTEGER PRIMARY KEY)")
            try db.execute(sql: "INSERT INTO no_such_table VALUES (1)")
        }

        // When the replica is opened with it
        let error = try #require(throws: ClientError.self) { try ReplicaDatabase.open(at: url, migrator: migrator) }

        // Then the error is one line, and the file is byte for byte what it was, with no WAL left
        #expect(error.code == .storage && !error.message.contains("\n"), "\(error.message)")
        #expect(error.message.contains("migration 'v99-fails-halfway' failed"), "\(error.message)")
        #expect(error.message.contains("rolled back"), "\(error.message)")
        #expect(try Data(contentsOf: url) == before)
        let wal = try? FileManager.default.attributesOfItem(atPath: url.path + "-wal")
        #expect((wal?[.size] as? Int ?? 0) == 0)

        // and the shipped migrations still open it, with everything pending still pending
        let queue = try ReplicaDatabase.open(at: url)
        let pending = try queue.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM versions WHERE pending = 1")
        }
        #expect(pending == 3)
        #expect(try queue.read { db in try !db.tableExists("later") })
    }

    @Test func eachMigrationCommitsAlone() throws {
        // GRDB runs each migration in its own transaction: one that succeeded stays applied when a
        // later one fails, and the next open goes on from there.
        let (folder, url) = try fixtureReplica()
        defer { folder.remove() }
        var migrator = ReplicaDatabase.migrator
        migrator.registerMigration("v98-succeeds") { db in try db.execute(sql: "CREATE TABLE kept (id INTEGER)") }
        migrator.registerMigration("v99-fails") { db in try db.execute(sql: "INSERT INTO no_such_table VALUES (1)") }

        #expect(throws: ClientError.self) { try ReplicaDatabase.open(at: url, migrator: migrator) }

        var shipped = ReplicaDatabase.migrator
        shipped.registerMigration("v98-succeeds") { _ in }
        let queue = try ReplicaDatabase.open(at: url, migrator: shipped)
        #expect(try queue.read { db in try db.tableExists("kept") })
        #expect(try queue.read { db in try shipped.appliedIdentifiers(db) }.contains("v98-succeeds"))
        #expect(try queue.read { db in try !shipped.appliedIdentifiers(db).contains("v99-fails") })
    }
}
