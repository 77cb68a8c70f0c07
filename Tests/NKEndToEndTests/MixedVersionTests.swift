import Foundation
import NKTestSupport
import NKTestTraits
import Testing

/// A team never upgrades at once (CHANGELOG.md): the previous release's `nkclient` and `nkserver`,
/// built from the commit the oldest upgrade fixture was made with (`scripts/build-at.sh`, cached
/// outside the tree), beside the current ones. One researcher on the old client, two on the new,
/// against each server: every note, edit, conflict and resolution reaches everyone.
@Suite(.serialized, .processes, .tags(.live)) struct MixedVersionTests {
    /// The folder holding the previous release's binaries; built once (several minutes the first
    /// time on a new machine), then cached.
    static let previousRelease: Result<URL, any Error> = Result {
        let manifest = TestPaths.repositoryRoot.appendingPathComponent("Tests/Fixtures/schema1-5cd0e17/manifest.json")
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: manifest)) as? [String: Any]
        guard let commit = object?["commit"] as? String else { throw HarnessError("no commit in \(manifest.path)") }
        let script = TestPaths.repositoryRoot.appendingPathComponent("scripts/build-at.sh")
        let result = try runCommand(script, [commit], timeout: 3_600)
        guard result.succeeded else { throw HarnessError("build-at.sh \(commit) failed: \(result)") }
        return URL(fileURLWithPath: result.output)
    }

    enum Server: String, CaseIterable, Sendable {
        case previous, current
    }

    @Test(arguments: Server.allCases) func oldAndNewClientsWorkTogether(server which: Server) throws {
        let old = try Self.previousRelease.get()
        let server = try LiveServer(
            nkserver: which == .previous ? old.appendingPathComponent("nkserver") : TestPaths.nkserver)
        let alice = try Researcher("alice", nkclient: old.appendingPathComponent("nkclient"))
        let bob = try Researcher("bob")
        let carol = try Researcher("carol")
        let team = [alice, bob, carol]
        for researcher in team {
            try researcher.ok("init", "--server", server.url, "--token", try server.addUser(researcher.name))
            try researcher.ok("sync")
        }
        let posts = try alice.json([PostOutput].self, "posts")
        let post = try #require(posts.first { $0.title == "Seafood ban leaves processing plants idle" })
        let quote = "the latest round of sanctions"

        // Given a note by the old client, edited by a new one, and a note by the other new one
        let first = try alice.ok("annotate", post.id, "--quote", quote, "--note", "alice's note")
        try alice.ok("sync")
        try bob.ok("sync")
        try bob.ok("edit", first, "--note", "bob's edit")
        let second = try carol.ok("annotate", post.id, "--quote", quote, "--note", "carol's note")
        for researcher in team + team { try researcher.ok("sync") }
        for researcher in team {
            let notes = try researcher.json([NoteOutput].self, "notes")
            #expect(
                Dictionary(uniqueKeysWithValues: notes.map { ($0.id, $0.note) }) == [
                    first: "bob's edit", second: "carol's note",
                ], "\(researcher.name) with the \(which) server")
        }

        // When the old and a new client edit one note concurrently
        try alice.ok("edit", first, "--note", "alice again")
        try bob.ok("edit", first, "--note", "bob again")
        try alice.ok("sync")
        try bob.ok("sync")
        try alice.ok("sync")

        // Then both see the conflict, and a resolution by the other new client settles it everywhere
        for researcher in [alice, bob] {
            let conflicts = try researcher.json([ConflictOutput].self, "conflicts")
            #expect(conflicts.map(\.id) == [first], "\(researcher.name) with the \(which) server")
            #expect(Set(conflicts.first?.versions.map(\.note) ?? []) == ["alice again", "bob again"])
        }
        try carol.ok("sync")
        try carol.ok("resolve", first, "--note", "settled")
        for researcher in [carol, alice, bob, carol] { try researcher.ok("sync") }
        for researcher in team {
            let notes = try researcher.json([NoteOutput].self, "notes")
            #expect(
                Dictionary(uniqueKeysWithValues: notes.map { ($0.id, $0.note) }) == [
                    first: "settled", second: "carol's note",
                ], "\(researcher.name) with the \(which) server")
            #expect(try researcher.json([ConflictOutput].self, "conflicts").isEmpty)
            #expect(try researcher.json(StatusOutput.self, "status").pending == 0)
        }

        // A note on the whole post and a reply, which the old client cannot read, are not sent to it
        // (the current server leaves them out of its pulls) and do not stop it syncing
        guard which == .current else { return }
        let page = try bob.ok("annotate", post.id, "--note", "bob's note on the post")
        let reply = try carol.ok("reply", first, "--note", "carol's reply")
        for researcher in team + team { try researcher.ok("sync") }
        let oldNotes = try alice.json([NoteOutput].self, "notes")
        #expect(Set(oldNotes.map(\.id)) == [first, second])
        for researcher in [bob, carol] {
            #expect(
                Set(try researcher.json([NoteOutput].self, "notes").map(\.id)) == [first, second, page, reply])
        }
    }
}
