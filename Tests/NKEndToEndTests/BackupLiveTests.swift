import Foundation
import NKTestSupport
import NKTestTraits
import Testing

/// `nkserver backup` under load and `nkserver restore`, with the real programs (docs/DESIGN.md,
/// "Backups" and "A server restored from a backup").
@Suite(.processes, .tags(.live))
struct BackupLiveTests {
    /// How the backup is put back: `nkserver restore`, or by hand, copying the file into place
    /// (then a replica that pulled past the backup has a cursor the server refuses).
    enum PutBack: String, CaseIterable, Sendable { case restoreCommand, fileCopy }

    @Test(arguments: PutBack.allCases)
    func aRestoredServerHoldsWhatWasAcknowledgedAndItsReplicasSendAgainWhatItLost(_ putBack: PutBack) throws {
        // Given three researchers who synced notes
        let server = try LiveServer()
        let alice = try server.researcher("alice")
        let bob = try server.researcher("bob")
        let carol = try server.researcher("carol")
        let everyone = [alice, bob, carol]
        for researcher in everyone { try researcher.ok("sync") }
        let post = try #require(try alice.json([PostOutput].self, "posts").first)
        func annotate(_ researcher: Researcher, _ text: String) throws -> String {
            try researcher.ok("annotate", post.id, "--quote", "the", "--occurrence", "1", "--note", text)
        }
        var acknowledged: [String] = []
        for researcher in everyone {
            for n in 1...2 { acknowledged.append("\(researcher.name) before \(n)") }
            _ = try annotate(researcher, "\(researcher.name) before 1")
            _ = try annotate(researcher, "\(researcher.name) before 2")
            try researcher.ok("sync")
        }
        let firstOfAlice = try #require(
            try alice.json([NoteOutput].self, "notes").first { $0.note == "alice before 1" })

        // When the backup is taken while Alice and Carol push (before it, for the copy by hand: a
        // replica whose cursor is still among the numbers the restored server gives again is not
        // told, which is why the restore command moves the numbers on)
        for researcher in [alice, carol] {
            for n in 1...20 { _ = try annotate(researcher, "\(researcher.name) during \(n)") }
        }
        var pushes: [BackgroundProcess] = []
        if putBack == .fileCopy {
            for researcher in [alice, carol] { try researcher.ok("sync") }
        } else {
            pushes = try [alice, carol].map { try $0.start(["sync"]) }
        }
        let backupFile = server.folder.path("backup.sqlite")
        let backup = try server.admin(["backup", "--to", backupFile])
        for push in pushes { #expect(try push.wait() == 0) }
        #expect(backup.succeeded, "\(backup)")
        #expect(backup.output.contains("integrity ok"), "\(backup)")

        // And afterwards Alice writes and edits, Bob pulls all of it, and the machine is lost
        _ = try annotate(alice, "alice after")
        try alice.ok("edit", firstOfAlice.id, "--note", "alice before 1, edited after")
        try alice.ok("sync")
        try bob.ok("sync")
        let port = server.port
        server.stop()

        // And the backup is put back in a new location, served at the same address
        let restored = try LiveServer { path in
            switch putBack {
            case .restoreCommand:
                let result = try runCommand(TestPaths.nkserver, ["restore", "--from", backupFile, "--db", path])
                guard result.succeeded, result.output.contains("users=3") else {
                    throw HarnessError("restore failed: \(result)")
                }
            case .fileCopy:
                try FileManager.default.copyItem(atPath: backupFile, toPath: path)
            }
        }
        try restored.start(port: port)

        // Then it holds every write acknowledged before the backup began
        let dave = try restored.researcher("dave")
        try dave.ok("sync")
        let held = Set(try dave.json([NoteOutput].self, "notes").map(\.note))
        #expect(held.isSuperset(of: acknowledged), "\(acknowledged.filter { !held.contains($0) })")

        // When Bob, who pulled past the backup, syncs: with the restore command he misses nothing and
        // has nothing to say; after a copy by hand the server refuses his cursor and he is told
        let bobSync = try bob.run(["sync"])
        #expect(bobSync.succeeded, "\(bobSync)")
        #expect(bobSync.stderr.contains("is behind this replica") == (putBack == .fileCopy), "\(bobSync)")

        // And Alice, whose acknowledged writes it lost, syncs: she is told in one line and sends them again
        let aliceSync = try alice.run(["sync"])
        #expect(aliceSync.succeeded, "\(aliceSync)")
        let told = aliceSync.stderr.split(separator: "\n").filter { $0.contains("is behind this replica") }
        #expect(told.count == 1, "\(aliceSync)")
        #expect(told.first?.contains("restored from a backup?): re-sending ") == true)

        // Then after everyone syncs, every replica holds every text once, with no conflict
        for researcher in everyone + [dave, bob] { try researcher.ok("sync") }
        var expected = Set(acknowledged).subtracting(["alice before 1"])
        expected.insert("alice before 1, edited after")
        expected.insert("alice after")
        for researcher in [alice, carol] {
            for n in 1...20 { expected.insert("\(researcher.name) during \(n)") }
        }
        let reference = try dave.json([NoteOutput].self, "notes")
        for researcher in everyone + [dave] {
            let notes = try researcher.json([NoteOutput].self, "notes")
            #expect(notes.count == expected.count, "\(researcher.name)")
            #expect(Set(notes.map(\.note)) == expected, "\(researcher.name)")
            #expect(Set(notes.map(\.id)) == Set(reference.map(\.id)), "\(researcher.name)")
            #expect(notes.allSatisfy { !$0.conflict }, "\(researcher.name)")
            let status = try researcher.json(StatusOutput.self, "status")
            #expect(status.pending == 0 && status.rejected == 0 && status.conflicts == 0, "\(researcher.name)")
        }
    }

    /// PostgreSQL is backed up with pg_dump; `nkserver migrate` is the way back to one SQLite file,
    /// which `backup` and `restore` then handle, and the team carries on from it.
    @Test(.enabled(if: TestPostgres.isAvailable, Comment(rawValue: TestPostgres.unavailableReason)), .tags(.postgres))
    func aPostgreSQLStoreMigratedBackToSQLiteIsBackedUpAndRestored() throws {
        // Given a team on PostgreSQL
        let server = try LiveServer(store: .postgres)
        let alice = try server.researcher("alice")
        try alice.ok("sync")
        let post = try #require(try alice.json([PostOutput].self, "posts").first)
        _ = try alice.ok("annotate", post.id, "--quote", "the", "--occurrence", "1", "--note", "on PostgreSQL")
        try alice.ok("sync")
        let port = server.port
        server.stop()
        let postgresURL = try #require(server.postgresURL)

        // When its store is migrated to SQLite, backed up and restored
        let folder = try TemporaryFolder("nkserver-way-back")
        defer { folder.remove() }
        let sqlite = folder.path("migrated.sqlite")
        let backupFile = folder.path("backup.sqlite")
        let migrate = try runCommand(
            TestPaths.nkserver, ["migrate", "--from", postgresURL, "--to", "sqlite:\(sqlite)"])
        #expect(migrate.succeeded, "\(migrate)")
        let backup = try runCommand(TestPaths.nkserver, ["backup", "--to", backupFile, "--db", sqlite])
        #expect(backup.succeeded && backup.output.contains("users=1"), "\(backup)")
        let restored = try LiveServer { path in
            let result = try runCommand(TestPaths.nkserver, ["restore", "--from", backupFile, "--db", path])
            guard result.succeeded else { throw HarnessError("restore failed: \(result)") }
        }
        try restored.start(port: port)

        // Then the replica carries on against it, told nothing, and its note is there
        _ = try alice.ok("annotate", post.id, "--quote", "the", "--occurrence", "1", "--note", "on SQLite again")
        let sync = try alice.run(["sync", "--json"])
        #expect(sync.succeeded && !sync.stderr.contains("behind"), "\(sync)")
        let dave = try restored.researcher("dave")
        try dave.ok("sync")
        #expect(Set(try dave.json([NoteOutput].self, "notes").map(\.note)) == ["on PostgreSQL", "on SQLite again"])
    }

    @Test func backupAndRestoreRefuseInOneLineAndWriteNothing() throws {
        let folder = try TemporaryFolder("nkserver-backup-refusals")
        defer { folder.remove() }
        let database = folder.path("server.sqlite")
        #expect(try runCommand(TestPaths.nkserver, ["user", "add", "alice", "--db", database]).succeeded)
        let existing = folder.path("existing.sqlite")
        try Data("an older backup".utf8).write(to: URL(fileURLWithPath: existing))
        let corrupt = folder.path("corrupt.sqlite")
        try Data("SQLite format 3\u{0} but nothing after".utf8).write(to: URL(fileURLWithPath: corrupt))
        let postgres = "postgres://nk@127.0.0.1:1/nk"

        let cases: [(arguments: [String], status: Int32, says: String)] = [
            (["backup", "--to", existing, "--db", database], 73, "already exists"),
            (["backup", "--to", folder.path("new.sqlite"), "--store", postgres], 64, "pg_dump"),
            (["restore", "--from", corrupt, "--db", folder.path("restored.sqlite")], 65, "not a readable SQLite"),
            (["restore", "--from", existing, "--db", folder.path("restored.sqlite")], 65, "not a readable SQLite"),
            (["restore", "--from", database, "--db", database], 73, "already holds data"),
            (["restore", "--from", database, "--store", postgres], 64, "pg_restore"),
            (["backup", "--to", folder.path("new.sqlite"), "--db", folder.path("missing.sqlite")], 66, "no database"),
        ]
        let before = try FileManager.default.contentsOfDirectory(atPath: folder.url.path).sorted()
        for (arguments, status, says) in cases {
            let result = try runCommand(TestPaths.nkserver, arguments)
            #expect(result.status == status, "\(arguments): \(result)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(arguments): \(result)")
            #expect(result.stderr.contains(says), "\(arguments): \(result)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path).sorted() == before)
        #expect(try String(contentsOfFile: existing, encoding: .utf8) == "an older backup")
    }
}
