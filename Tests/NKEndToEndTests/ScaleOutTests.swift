import Foundation
import NKTestSupport
import NKTestTraits
import Testing

/// PostgreSQL as the server's store: two `nkserver` processes on one database, and moving an
/// SQLite team onto PostgreSQL with `nkserver migrate`. Skipped, with the reason, without PostgreSQL.
@Suite(
    .serialized, .enabled(if: TestPostgres.isAvailable, Comment(rawValue: TestPostgres.unavailableReason)), .processes,
    .tags(.live, .postgres))
struct ScaleOutTests {
    let quote = "the latest round of sanctions"

    /// Researchers split over two instances, syncing at the same moments.
    @Test func researchersOnTwoInstancesOfOneDatabaseConvergeAndSeeEachOthersConflicts() throws {
        let first = try LiveServer(store: .postgres)
        let second = try LiveServer(joining: first)
        var researchers: [Researcher] = []
        for (index, name) in ["alice", "bob", "carol", "dan"].enumerated() {
            let researcher = try Researcher(name)
            let server = index % 2 == 0 ? first : second
            try researcher.ok("init", "--server", server.url, "--token", try first.addUser(name))
            try researcher.ok("sync")
            researchers.append(researcher)
        }
        let post = try #require(
            try researchers[0].json([PostOutput].self, "posts").first {
                $0.title == "Seafood ban leaves processing plants idle"
            }
        ).id

        // When every researcher writes notes and all sync at once, three rounds
        var written: Set<String> = []
        for round in 0..<3 {
            for researcher in researchers {
                written.insert(
                    try researcher.ok("annotate", post, "--quote", quote, "--note", "\(researcher.name) round \(round)")
                )
            }
            let syncs = try researchers.map { try $0.start(["sync"]) }
            for sync in syncs { #expect(try sync.wait(timeout: 60) == 0) }
        }
        for researcher in researchers { try researcher.ok("sync") }

        // Then every replica holds every note, whichever instance it talks to
        for researcher in researchers {
            let notes = try researcher.json([NoteOutput].self, "notes")
            #expect(Set(notes.map(\.id)) == written, "\(researcher.name)")
        }

        // When alice (first instance) and bob (second) edit one note offline and sync
        let shared = try #require(written.sorted().first)
        let (alice, bob) = (researchers[0], researchers[1])
        try alice.ok("edit", shared, "--note", "Alice's text")
        try bob.ok("edit", shared, "--note", "Bob's text")
        let syncs = try [alice, bob].map { try $0.start(["sync"]) }
        for sync in syncs { #expect(try sync.wait(timeout: 60) == 0) }
        for researcher in researchers { try researcher.ok("sync") }

        // Then every replica sees the one conflict with both texts
        for researcher in researchers {
            let conflicts = try researcher.json([ConflictOutput].self, "conflicts")
            #expect(conflicts.map(\.id) == [shared], "\(researcher.name)")
            #expect(Set(conflicts.first?.versions.map(\.note) ?? []) == ["Alice's text", "Bob's text"])
        }
    }

    /// A watcher on one instance hears of a note pushed through the other (LISTEN/NOTIFY).
    @Test func aWatcherOnOneInstanceGetsANotePushedThroughTheOther() throws {
        let first = try LiveServer(store: .postgres)
        let second = try LiveServer(joining: first)
        let alice = try Researcher("alice")
        let bob = try Researcher("bob")
        try alice.ok("init", "--server", first.url, "--token", try first.addUser("alice"))
        try bob.ok("init", "--server", second.url, "--token", try first.addUser("bob"))
        try alice.ok("sync")
        try bob.ok("sync")
        let post = try #require(
            try alice.json([PostOutput].self, "posts").first { $0.title == "Seafood ban leaves processing plants idle" }
        ).id
        let watcher = try bob.start(["sync", "--watch"])
        defer { watcher.stop(signal: SIGKILL) }
        #expect(try waitUntil(10) { watcher.stderrText().contains("watching ") }, "\(watcher.stderrText())")

        let id = try alice.ok("annotate", post, "--quote", quote, "--note", "Through the first instance")
        try alice.ok("sync")

        #expect(
            try waitUntil(10) { try bob.json([NoteOutput].self, "notes").contains { $0.id == id } },
            "\(watcher.stderrText())")
    }

    /// `nkserver migrate` moves a team's SQLite database to PostgreSQL: the counts and checksums
    /// match, the tokens and replicas keep working, and replicas go on from their cursors.
    @Test func migrateMovesATeamToPostgreSQLWithoutLossAndReplicasCarryOn() throws {
        let old = try LiveServer()
        let alice = try Researcher("alice")
        let bob = try Researcher("bob")
        try alice.ok("init", "--server", old.url, "--token", try old.addUser("alice"))
        try bob.ok("init", "--server", old.url, "--token", try old.addUser("bob"))
        #expect(try old.admin(["group", "add", "north"]).succeeded)
        #expect(try old.admin(["group", "add-member", "north", "alice"]).succeeded)
        #expect(try old.admin(["group", "add-member", "north", "bob"]).succeeded)
        try alice.ok("sync")
        try bob.ok("sync")
        let post = try #require(
            try alice.json([PostOutput].self, "posts").first { $0.title == "Seafood ban leaves processing plants idle" }
        ).id
        let before = try alice.ok("annotate", post, "--quote", quote, "--note", "Before", "--group", "north")
        try alice.ok("sync")
        try bob.ok("sync")
        let port = old.port
        old.stop()

        // When the database is migrated
        let url = try TestPostgres.createDatabase()
        let new = try LiveServer(postgresURL: url)
        let migrate = try runCommand(
            TestPaths.nkserver, ["migrate", "--from", "sqlite:\(old.databasePath)", "--to", url])
        #expect(migrate.succeeded, "\(migrate)")
        let lines = migrate.stdout.split(separator: "\n").map(String.init)
        let sums = lines.compactMap { line in line.range(of: "sha256=").map { String(line[$0.upperBound...]) } }
        #expect(sums.count == 2 && sums[0] == sums[1], "\(migrate.stdout)")
        // 8 sample posts and alice's note; bob has pushed nothing, so only alice's replica is bound.
        #expect(lines.first?.contains("users=2 replicas=1 groups=1 members=2 versions=9") == true, "\(migrate.stdout)")
        #expect(lines.last == "migrated: counts and checksums match")

        // And migrating into it again is refused, changing nothing
        let again = try runCommand(
            TestPaths.nkserver, ["migrate", "--from", "sqlite:\(old.databasePath)", "--to", url])
        #expect(again.status == 74)
        #expect(again.stderr.contains("not empty"), "\(again)")

        // Then a server on PostgreSQL at the same address serves the same team
        try new.start(port: port)
        let after = try alice.ok("annotate", post, "--quote", "hard currency", "--note", "After")
        #expect(try alice.json(SyncOutput.self, "sync") == SyncOutput(pushed: 1, pulled: 0, conflicts: 0))
        #expect(try bob.json(SyncOutput.self, "sync") == SyncOutput(pushed: 0, pulled: 1, conflicts: 0))
        #expect(Set(try bob.json([NoteOutput].self, "notes").map(\.id)) == [before, after])
        let users = try new.admin(["user", "list"])
        #expect(users.succeeded && users.stdout.contains("alice") && users.stdout.contains("bob"))
    }
}
