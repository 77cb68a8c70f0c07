import Foundation
import GRDB
import NKProtocol
import NKTestSupport
import NKTestTraits
import Testing

@testable import NKServer

/// `nkserver backup` and `restore` on SQLite (docs/DESIGN.md, "Backups"): checked copies put in
/// place whole, and every refusal leaves the destination as it was.
@Suite("SQLite backups", .tags(.unit))
struct SQLiteBackupTests {
    /// A store with two users and two versions, in a temporary folder.
    private func store(in folder: TemporaryFolder) async throws -> String {
        let path = folder.path("server.sqlite")
        let store = try SQLiteStore(path: path)
        let alice = try await store.authenticate(token: try await store.addUser(name: "alice", readOnly: false))
        _ = try await store.addUser(name: "bob", readOnly: false)
        _ = try await store.push(
            user: try #require(alice), replica: ReplicaID("r1"),
            versions: [Sample.postVersion(["r1": 1]), Sample.postVersion(["r1": 2])])
        return path
    }

    /// The files in `folder` (no temporary copy may be left behind).
    private func files(_ folder: TemporaryFolder) throws -> Set<String> {
        Set(try FileManager.default.contentsOfDirectory(atPath: folder.url.path))
    }

    @Test func aBackupIsCheckedCountedAndRestoredIntoANewLocation() async throws {
        let folder = try TemporaryFolder("nkserver-backup")
        defer { folder.remove() }
        let source = try await store(in: folder)
        let backup = folder.path("backup.sqlite")

        let written = try SQLiteBackup.backup(from: source, to: backup, replacing: false)
        #expect(written.users == 2)
        #expect(written.versions == 1)
        #expect(written.history == 1)
        #expect(written.schema == SQLiteStore.migrator.migrations.last)
        #expect(try files(folder).filter { $0.hasPrefix("backup") } == ["backup.sqlite"])
        #expect(try files(folder).allSatisfy { !$0.hasSuffix(".partial") })

        let restored = folder.path("restored.sqlite")
        let summary = try SQLiteBackup.restore(from: backup, to: restored)
        #expect(summary == written)
        let store = try SQLiteStore(path: restored)
        #expect(try await store.users().map(\.name) == ["alice", "bob"])
        // The next change is numbered past every number the lost server may have given.
        #expect(try await store.latestSequence() == written.lastSequence + SQLiteBackup.restoredSequenceGap)
        let rows = try await store.pool.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sqlite_sequence WHERE name = 'versions'")
        }
        #expect(rows == 1)
        // And the next version pushed is numbered after the gap.
        let alice = try #require(try await store.authenticate(token: try await store.rotateToken(name: "alice")))
        _ = try await store.push(user: alice, replica: ReplicaID("r1"), versions: [Sample.postVersion(["r1": 3])])
        #expect(try await store.latestSequence() == written.lastSequence + SQLiteBackup.restoredSequenceGap + 1)
        #expect(try files(folder).allSatisfy { !$0.hasSuffix(".partial") })
    }

    @Test func anExistingBackupFileIsReplacedOnlyWhenForced() async throws {
        let folder = try TemporaryFolder("nkserver-backup")
        defer { folder.remove() }
        let source = try await store(in: folder)
        let backup = folder.path("backup.sqlite")
        try Data("keep me".utf8).write(to: URL(fileURLWithPath: backup))

        let error = #expect(throws: ServerError.self) {
            try SQLiteBackup.backup(from: source, to: backup, replacing: false)
        }
        #expect(error?.code == .destinationExists)
        #expect(try String(contentsOfFile: backup, encoding: .utf8) == "keep me")

        _ = try SQLiteBackup.backup(from: source, to: backup, replacing: true)
        #expect(try SQLiteBackup.check(at: backup).users == 2)
    }

    @Test(arguments: ["not a database at all", "SQLite format 3\u{0}truncated"])
    func aCorruptBackupIsRefusedAndNothingIsWritten(_ content: String) throws {
        let folder = try TemporaryFolder("nkserver-backup")
        defer { folder.remove() }
        let backup = folder.path("backup.sqlite")
        try Data(content.utf8).write(to: URL(fileURLWithPath: backup))

        let error = #expect(throws: ServerError.self) {
            try SQLiteBackup.restore(from: backup, to: folder.path("restored.sqlite"))
        }
        #expect(error?.code == .invalidBackup)
        #expect(try files(folder) == ["backup.sqlite"])
    }

    @Test func aDamagedPageFailsTheIntegrityCheck() async throws {
        let folder = try TemporaryFolder("nkserver-backup")
        defer { folder.remove() }
        let backup = folder.path("backup.sqlite")
        _ = try SQLiteBackup.backup(from: try await store(in: folder), to: backup, replacing: false)
        // Overwrite the header of every page but the first (the tables' and indexes' b-trees) with noise.
        let pageSize = try await DatabaseQueue(path: backup).read { db in
            try Int.fetchOne(db, sql: "PRAGMA page_size") ?? 4096
        }
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: backup))
        let size = Int(try handle.seekToEnd())
        for page in stride(from: pageSize, to: size, by: pageSize) {
            try handle.seek(toOffset: UInt64(page))
            try handle.write(contentsOf: Data(repeating: 0xA5, count: 12))
        }
        try handle.close()

        let error = #expect(throws: ServerError.self) {
            try SQLiteBackup.restore(from: backup, to: folder.path("restored.sqlite"))
        }
        #expect(error?.code == .invalidBackup)
        #expect(!FileManager.default.fileExists(atPath: folder.path("restored.sqlite")))
    }

    @Test func anSQLiteFileThatIsNoStoreIsRefused() throws {
        let folder = try TemporaryFolder("nkserver-backup")
        defer { folder.remove() }
        let other = folder.path("other.sqlite")
        try DatabaseQueue(path: other).write { db in try db.execute(sql: "CREATE TABLE t (x)") }

        let error = #expect(throws: ServerError.self) { try SQLiteBackup.check(at: other) }
        #expect(error?.code == .invalidBackup)
        #expect(error?.message.contains("not an nkserver store") == true)
    }

    @Test func aRestoreNeverReplacesAStoreThatHoldsData() async throws {
        let folder = try TemporaryFolder("nkserver-backup")
        defer { folder.remove() }
        let source = try await store(in: folder)
        let backup = folder.path("backup.sqlite")
        _ = try SQLiteBackup.backup(from: source, to: backup, replacing: false)
        let before = try Data(contentsOf: URL(fileURLWithPath: source))

        let error = #expect(throws: ServerError.self) { try SQLiteBackup.restore(from: backup, to: source) }
        #expect(error?.code == .destinationExists)
        #expect(try Data(contentsOf: URL(fileURLWithPath: source)) == before)

        // An empty store (a server started on the path by mistake) is replaced.
        let empty = folder.path("empty.sqlite")
        _ = try SQLiteStore(path: empty)
        #expect(try SQLiteBackup.restore(from: backup, to: empty).users == 2)
        #expect(try await SQLiteStore(path: empty).users().count == 2)
    }
}
