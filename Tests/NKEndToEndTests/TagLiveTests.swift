import Foundation
import NKTestSupport
import NKTestTraits
import Testing

/// Tags with the real binaries: spellings merge in any case, and a rename is an edit per note that
/// reaches the other replicas on their next sync.
@Suite(.serialized, .processes, .tags(.live, .postgres)) struct TagLiveTests {
    struct TagOutput: Decodable, Equatable {
        var tag: String
        var count: Int
    }

    @Test(arguments: LiveStore.available) func tagsMergeAndARenameSyncs(_ store: LiveStore) throws {
        let server = try LiveServer(store: store)
        let alice = try server.researcher("alice")
        let bob = try server.researcher("bob")
        try alice.ok("sync")
        try bob.ok("sync")
        let posts = try alice.json([PostOutput].self, "posts")
        let post = try #require(posts.first { $0.title.hasPrefix("Seafood") })

        // Given alice's note tagged Sanctions, and bob's tagged sanctions once he has seen it
        let first = try alice.ok("annotate", post.id, "--quote", "hard currency", "--tag", "Sanctions")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        try alice.ok("sync")
        try bob.ok("sync")
        let second = try bob.ok("annotate", post.id, "--quote", "Workers", "--tag", "sanctions", "--tag", "SANCTIONS")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        try bob.ok("sync")
        try alice.ok("sync")
        #expect(try alice.json([TagOutput].self, "tags") == [TagOutput(tag: "Sanctions", count: 2)])

        // When alice renames it
        let renamed = try alice.ok("tag", "rename", "SANCTIONS", "embargo")
        #expect(renamed.contains("on 2 notes"), "\(renamed)")
        try alice.ok("sync")
        try bob.ok("sync")

        // Then both notes carry the new tag on bob's replica, each as alice's edit
        #expect(try bob.json([TagOutput].self, "tags") == [TagOutput(tag: "embargo", count: 2)])
        let notes = try bob.json([NoteOutput].self, "notes")
        #expect(Set(notes.map(\.id)) == [first, second])
        #expect(notes.allSatisfy { $0.tags == ["embargo"] })
        let refused = try bob.run(["tag", "rename", " ", "x"])
        #expect(!refused.succeeded && refused.stderr.hasPrefix("error: a tag cannot be empty"), "\(refused)")
    }
}
