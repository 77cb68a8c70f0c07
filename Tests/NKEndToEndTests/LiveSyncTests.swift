import Foundation
import NKTestSupport
import NKTestTraits
import Testing

/// Real `nkserver` on an ephemeral port, real `nkclient` replicas in temporary folders, real libcurl.
@Suite(.serialized, .processes, .tags(.live, .postgres)) struct LiveSyncTests {
    /// A server with the sample corpus and researchers whose replicas are initialised and synced.
    struct Team {
        let server: LiveServer
        let researchers: [Researcher]

        init(_ names: [String], store: LiveStore) throws {
            let server = try LiveServer(store: store)
            self.server = server
            researchers = try names.map { name in
                let token = try server.addUser(name)
                let researcher = try Researcher(name)
                try researcher.ok("init", "--server", server.url, "--token", token)
                try researcher.ok("sync")
                return researcher
            }
        }

        /// A post every replica has, and a quote that occurs in it once.
        func samplePost(of researcher: Researcher) throws -> (id: String, quote: String) {
            let posts = try researcher.json([PostOutput].self, "posts")
            let post = try #require(posts.first { $0.title == "Seafood ban leaves processing plants idle" })
            return (post.id, "the latest round of sanctions")
        }
    }

    @Test(arguments: LiveStore.available) func anOfflineAnnotationReachesAnotherResearcher(_ store: LiveStore) throws {
        let team = try Team(["alice", "bob"], store: store)
        let (alice, bob) = (team.researchers[0], team.researchers[1])
        #expect(try alice.json([PostOutput].self, "posts").count == 8)

        // Given Alice annotates while offline (no sync in between)
        let post = try team.samplePost(of: alice)
        let id = try alice.ok(
            "annotate", post.id, "--quote", post.quote, "--note", "Check the date.", "--tag", "sanctions")
        #expect(id.count == 36)
        #expect(try alice.json(StatusOutput.self, "status").pending == 1)

        // When both sync
        let pushed = try alice.json(SyncOutput.self, "sync")
        #expect(pushed == SyncOutput(pushed: 1, pulled: 0, conflicts: 0))
        let pulled = try bob.json(SyncOutput.self, "sync")
        #expect(pulled.pulled == 1)

        // Then Bob sees Alice's note, by Alice, with its tag and quote
        let notes = try bob.json([NoteOutput].self, "notes")
        let note = try #require(notes.first)
        #expect(notes.count == 1)
        #expect(note.id == id && note.author == "alice" && note.note == "Check the date.")
        #expect(note.tags == ["sanctions"] && note.quote == post.quote && note.postId == post.id)
        #expect(try alice.json(StatusOutput.self, "status").pending == 0)

        // A second sync is a no-op on both sides
        #expect(try alice.json(SyncOutput.self, "sync") == SyncOutput(pushed: 0, pulled: 0, conflicts: 0))
        #expect(try bob.json(SyncOutput.self, "sync") == SyncOutput(pushed: 0, pulled: 0, conflicts: 0))

        // And the note reads in the post, found by a unique id prefix
        let read = try bob.ok("read", String(post.id.prefix(6)))
        #expect(read.contains("Seafood ban leaves processing plants idle"))
        #expect(read.contains("Check the date."))
    }

    @Test(arguments: LiveStore.available) func concurrentEditsBecomeAConflictAndAResolutionConverges(_ store: LiveStore)
        throws
    {
        let team = try Team(["alice", "bob", "carol"], store: store)
        let (alice, bob, carol) = (team.researchers[0], team.researchers[1], team.researchers[2])
        let post = try team.samplePost(of: alice)
        let id = try alice.ok("annotate", post.id, "--quote", post.quote, "--note", "first draft", "--tag", "a")
        try alice.ok("sync")
        try bob.ok("sync")

        // Given both edit the same note while offline
        try alice.ok("edit", id, "--note", "Alice's text", "--tag", "alice")
        try bob.ok("edit", String(id.prefix(8)), "--note", "Bob's text", "--tag", "bob")

        // When both sync (Alice first, then Bob, then Alice again)
        try alice.ok("sync")
        let bobSync = try bob.json(SyncOutput.self, "sync")
        #expect(bobSync.conflicts == 1)
        #expect(try alice.json(SyncOutput.self, "sync").conflicts == 1)
        try carol.ok("sync")

        // Then all three see the same conflict with both texts kept
        for researcher in [alice, bob, carol] {
            let conflicts = try researcher.json([ConflictOutput].self, "conflicts")
            let conflict = try #require(conflicts.first, "\(researcher.name) sees no conflict")
            #expect(conflicts.count == 1 && conflict.id == id)
            #expect(Set(conflict.versions.map(\.note)) == ["Alice's text", "Bob's text"], "\(researcher.name)")
            #expect(try researcher.json([NoteOutput].self, "notes").first?.conflict == true)
        }
        // The sibling order is the same everywhere, so --pick N means the same version on every replica.
        let aliceOrder = try alice.json([ConflictOutput].self, "conflicts")[0].versions.map(\.note)
        #expect(try carol.json([ConflictOutput].self, "conflicts")[0].versions.map(\.note) == aliceOrder)

        // When Carol resolves with a merged text (tags default to the union)
        try carol.ok("resolve", id, "--note", "Merged: both points hold")
        try carol.ok("sync")
        try alice.ok("sync")
        try bob.ok("sync")

        // Then every replica converges on one version with no conflict
        var versions: [[String: Int]] = []
        for researcher in [alice, bob, carol] {
            #expect(try researcher.json([ConflictOutput].self, "conflicts").isEmpty)
            let note = try #require(try researcher.json([NoteOutput].self, "notes").first)
            #expect(note.note == "Merged: both points hold" && !note.conflict)
            #expect(note.tags == ["alice", "bob"])
            versions.append(note.version)
        }
        #expect(Set(versions).count == 1)
    }

    @Test(arguments: LiveStore.available) func anEditConcurrentWithADeleteIsAConflictAndPickKeepsTheEdit(
        _ store: LiveStore
    ) throws {
        let team = try Team(["alice", "bob"], store: store)
        let (alice, bob) = (team.researchers[0], team.researchers[1])
        let post = try team.samplePost(of: alice)
        let id = try alice.ok("annotate", post.id, "--quote", post.quote, "--note", "to be argued over")
        try alice.ok("sync")
        try bob.ok("sync")

        try alice.ok("delete", id)
        try bob.ok("edit", id, "--note", "Bob still needs this")
        try alice.ok("sync")
        try bob.ok("sync")
        try alice.ok("sync")

        let conflicts = try alice.json([ConflictOutput].self, "conflicts")
        let conflict = try #require(conflicts.first)
        #expect(conflict.versions.count == 2)
        #expect(conflict.versions.filter(\.deleted).count == 1)
        let keep = try #require(conflict.versions.firstIndex { !$0.deleted })
        try alice.ok("resolve", id, "--pick", String(keep))
        try alice.ok("sync")
        try bob.ok("sync")
        for researcher in [alice, bob] {
            let notes = try researcher.json([NoteOutput].self, "notes")
            #expect(notes.map(\.note) == ["Bob still needs this"], "\(researcher.name)")
            #expect(notes.first?.conflict == false)
        }
    }

    @Test(arguments: LiveStore.available) func aDeletePropagates(_ store: LiveStore) throws {
        let team = try Team(["alice", "bob"], store: store)
        let (alice, bob) = (team.researchers[0], team.researchers[1])
        let post = try team.samplePost(of: alice)
        let id = try alice.ok("annotate", post.id, "--quote", post.quote, "--note", "short-lived")
        try alice.ok("sync")
        try bob.ok("sync")
        #expect(try bob.json([NoteOutput].self, "notes").count == 1)

        try alice.ok("delete", id)
        try alice.ok("sync")
        try bob.ok("sync")
        #expect(try bob.json([NoteOutput].self, "notes").isEmpty)
        #expect(try alice.json([NoteOutput].self, "notes").isEmpty)
        // Only the author may delete: Bob's replica refuses before anything is sent.
        let other = try bob.ok("annotate", post.id, "--quote", "Analysts note", "--note", "Bob's own")
        try bob.ok("sync")
        try alice.ok("sync")
        let refused = try alice.run(["delete", other])
        #expect(!refused.succeeded && refused.stderr.contains("error:"))
        #expect(try alice.json([NoteOutput].self, "notes").map(\.id) == [other])
    }

    @Test(arguments: LiveStore.available) func privateNotesNeverReachAnotherResearcher(_ store: LiveStore) throws {
        let team = try Team(["alice", "bob"], store: store)
        let (alice, bob) = (team.researchers[0], team.researchers[1])
        let post = try team.samplePost(of: alice)
        let secret = try alice.ok("annotate", post.id, "--quote", post.quote, "--note", "my private hunch", "--private")
        let open = try alice.ok("annotate", post.id, "--quote", "Analysts note", "--note", "shared from the start")
        try alice.ok("sync")
        try bob.ok("sync")
        #expect(try bob.json([NoteOutput].self, "notes").map(\.id) == [open])
        #expect(try alice.json([NoteOutput].self, "notes").count == 2)

        // A shared note made private disappears from the other replica on its next sync.
        try alice.ok("edit", open, "--private")
        try alice.ok("sync")
        try bob.ok("sync")
        #expect(try bob.json([NoteOutput].self, "notes").isEmpty)
        let search = try bob.run(["read", post.id])
        #expect(!search.stdout.contains("my private hunch") && !search.stdout.contains("shared from the start"))
        #expect(secret != open)
    }

    @Test(arguments: LiveStore.available) func aSyncKilledMidwayLeavesExactlyOneCopyOfEachChange(_ store: LiveStore)
        throws
    {
        let team = try Team(["alice", "bob"], store: store)
        let (alice, bob) = (team.researchers[0], team.researchers[1])
        let post = try team.samplePost(of: alice)
        let count = 120
        var ids: Set<String> = []
        for index in 0..<count {
            ids.insert(try alice.ok("annotate", post.id, "--quote", post.quote, "--note", "note \(index)"))
        }
        // Kill `nkclient sync` at a few different moments, then let a sync run to the end.
        for delay in [0.02, 0.05, 0.1, 0.2] {
            let sync = try alice.start(["sync"])
            Thread.sleep(forTimeInterval: delay)
            sync.stop(signal: SIGKILL)
        }
        try alice.ok("sync")
        #expect(try alice.json(StatusOutput.self, "status").pending == 0)
        try bob.ok("sync")
        let notes = try bob.json([NoteOutput].self, "notes")
        #expect(notes.count == count)
        #expect(Set(notes.map(\.id)) == ids)
        #expect(Set(notes.map(\.note)).count == count)
        #expect(try alice.json(SyncOutput.self, "sync") == SyncOutput(pushed: 0, pulled: 0, conflicts: 0))
    }
}
