import Foundation
import NKTestSupport
import NKTestTraits
import Testing

/// A laptop restored from a backup, with the real programs (docs/DESIGN.md, "Own counters"): the
/// restored folder must never give again an edit counter its other copy already pushed.
@Suite(.serialized, .processes, .tags(.live, .postgres)) struct RestoredReplicaLiveTests {
    @Test(arguments: LiveStore.available) func aRestoredFolderLosesNothingAndSwallowsNothing(_ store: LiveStore) throws
    {
        // Given Alice synced a note, and her laptop was backed up then
        let server = try LiveServer(store: store)
        let alice = try Researcher("alice")
        let bob = try Researcher("bob")
        try alice.ok("init", "--server", server.url, "--token", try server.addUser("alice"))
        try bob.ok("init", "--server", server.url, "--token", try server.addUser("bob"))
        try alice.ok("sync")
        let post = try #require(try alice.json([PostOutput].self, "posts").first)
        let quote = "the"
        let first = try alice.ok("annotate", post.id, "--quote", quote, "--occurrence", "1", "--note", "first")
        try alice.ok("sync")
        let backup = try TemporaryFolder("nkclient-backup")
        defer { backup.remove() }
        try copyFolder(alice.home.url, to: backup.url)

        // And she went on: a new note, an edit of the first, both synced
        try alice.ok("annotate", post.id, "--quote", quote, "--occurrence", "1", "--note", "after the backup")
        try alice.ok("edit", first, "--note", "edited after the backup")
        try alice.ok("sync")

        // When the laptop is restored from the backup and she writes again
        try FileManager.default.removeItem(at: alice.home.url)
        try copyFolder(backup.url, to: alice.home.url)
        try alice.ok("annotate", post.id, "--quote", quote, "--occurrence", "1", "--note", "after the restore")
        try alice.ok("edit", first, "--note", "edited after the restore")

        // Then the sync stops before pushing, in one line that says what to do, and keeps both
        let refused = try alice.run(["sync"])
        #expect(refused.status == 65, "\(refused)")
        #expect(refused.stderr.split(separator: "\n").count == 1)
        #expect(refused.stderr.contains("nkclient new-replica"))
        #expect(try alice.json(StatusOutput.self, "status").pending == 2)

        // When she carries on under a new replica id and syncs
        let oldReplica = try #require(try alice.config()["replica"])
        try alice.ok("new-replica")
        #expect(try alice.config()["replica"] != oldReplica)
        let synced = try alice.json(SyncOutput.self, "sync")
        #expect(synced.pushed == 2)

        // Then every text written on either copy is on Bob's replica, none answered `unchanged`:
        // the two edits of the first note are a conflict
        try bob.ok("sync")
        let notes = try bob.json([NoteOutput].self, "notes")
        let conflicts = try bob.json([ConflictOutput].self, "conflicts")
        let texts = Set(notes.map(\.note) + conflicts.flatMap { $0.versions.map(\.note) })
        #expect(
            texts.isSuperset(of: [
                "after the backup", "edited after the backup", "after the restore", "edited after the restore",
            ]))
        #expect(conflicts.map(\.id) == [first])
        #expect(try alice.json(StatusOutput.self, "status").pending == 0)
    }

    private func copyFolder(_ source: URL, to destination: URL) throws {
        try? FileManager.default.removeItem(at: destination)
        try FileManager.default.copyItem(at: source, to: destination)
    }
}
