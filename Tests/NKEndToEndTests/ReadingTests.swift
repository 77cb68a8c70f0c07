import Foundation
import NKTestSupport
import NKTestTraits
import Testing

/// Reading and annotating offline with the real binaries: import, post correction and re-anchoring,
/// search, export.
@Suite(.serialized, .processes, .tags(.live, .postgres)) struct ReadingTests {
    struct AnchoredNote: Decodable {
        var id: String
        var quote: String
        var note: String
        var anchor: String
    }

    struct Hit: Decodable {
        var kind: String
        var id: String
        var postId: String
        var title: String
        var snippet: String
        var rank: Double
        var author: String?
        var tags: [String]?
    }

    struct ImportOutput: Decodable, Equatable {
        var posts: Int
        var new: Int
        var updated: Int
        var unchanged: Int
    }

    /// Initialises a researcher's replica on `server`.
    func researcher(_ name: String, on server: LiveServer) throws -> Researcher {
        try server.researcher(name)
    }

    /// The sample's seafood post, corrected: a sentence added before a passage, a passage reworded,
    /// a passage removed.
    static let correctedSeafoodPost = """
        Category: Border Trade

        Seafood ban leaves processing plants idle

        Posted on 12 March 2024 by J. Park

        Fish processing plants along the coast north of the border stand mostly idle after the latest round of sanctions closed an important source of foreign earnings.

        Local officials declined to comment. Workers who once sorted squid and crab for export now repair nets or have been sent home. A plant manager said the seafood trade had been “the last honest business left” … before adding that he hoped it would return by autumn.

        Analysts note that the ban covers seafood only; textiles and iron ore were restricted earlier.

        [Coastal Review]
        """

    @Test(arguments: LiveStore.available) func aResearcherImportsTheCorpusOfflineAndItSyncsToAnother(_ store: LiveStore)
        throws
    {
        let server = try LiveServer(importSamples: false, store: store)
        let alice = try researcher("alice", on: server)
        let bob = try researcher("bob", on: server)
        let files = TestPaths.sampleCorpus.map(\.path)

        // A bad file among good ones imports nothing and names its line.
        let folder = try TemporaryFolder("nk-reading")
        defer { folder.remove() }
        let bad = folder.path("bad.txt")
        try "Category: Bad\n\nA title\n\nno posted line\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let failed = try alice.run(["import"] + files + [bad])
        #expect(!failed.succeeded)
        #expect(failed.stderr.hasPrefix("error: \(bad): line 5: "), "\(failed)")
        #expect(try alice.json([PostOutput].self, "posts").isEmpty)

        // Given Alice imports the sample corpus while offline
        let port = server.port
        server.stop()
        #expect(
            try alice.run(["import"] + files).output
                == "8 posts (8 new / 0 updated / 0 merged / 0 in conflict / 0 unchanged)")
        let again = try alice.run(["import"] + files + ["--json"])
        let summary = try JSONDecoder().decode(ImportOutput.self, from: Data(again.stdout.utf8))
        #expect(summary == ImportOutput(posts: 8, new: 0, updated: 0, unchanged: 8))
        #expect(again.stderr.isEmpty, "no progress bar when piped")
        #expect(try alice.json(StatusOutput.self, "status").pending == 8)

        // When she syncs and Bob syncs
        try server.start(port: port)
        #expect(try alice.json(SyncOutput.self, "sync").pushed == 8)
        #expect(try bob.json(SyncOutput.self, "sync").pulled == 8)

        // Then Bob has the same posts
        let alicePosts = try alice.json([PostOutput].self, "posts").map(\.id)
        #expect(try bob.json([PostOutput].self, "posts").map(\.id) == alicePosts)
        #expect(alicePosts.count == 8)
    }

    @Test(arguments: LiveStore.available) func aCorrectedPostReanchorsAnotherResearchersNotes(_ store: LiveStore) throws
    {
        let server = try LiveServer(store: store)
        let alice = try researcher("alice", on: server)
        let bob = try researcher("bob", on: server)
        try alice.ok("sync")
        try bob.ok("sync")
        let post = try #require(
            try bob.json([PostOutput].self, "posts").first { $0.title == "Seafood ban leaves processing plants idle" })

        // Given Bob's notes on the post
        let exact = try bob.ok("annotate", post.id, "--quote", "Fish processing plants along the coast", "--note", "e")
        let moved = try bob.ok("annotate", post.id, "--quote", "Workers who once sorted squid and crab", "--note", "m")
        let fuzzy = try bob.ok(
            "annotate", post.id, "--quote", "textiles and coal were restricted earlier", "--note", "f")
        let orphaned = try bob.ok("annotate", post.id, "--quote", "source of hard currency", "--note", "o")
        try bob.ok("sync")

        // When Alice corrects the post from a file, offline, then syncs
        let folder = try TemporaryFolder("nk-reading")
        defer { folder.remove() }
        let file = folder.path("seafood.txt")
        try Self.correctedSeafoodPost.write(toFile: file, atomically: true, encoding: .utf8)
        #expect(try alice.ok("post", "edit", post.id, "--file", file).contains("corrected"))
        #expect(try alice.ok("post", "edit", post.id, "--file", file).contains("unchanged"))
        try alice.ok("sync")
        try bob.ok("sync")

        // Then Bob's notes show how each passage was found again
        let notes = try bob.json([AnchoredNote].self, "notes")
        let status = Dictionary(uniqueKeysWithValues: notes.map { ($0.id, $0.anchor) })
        #expect(status == [exact: "exact", moved: "moved", fuzzy: "fuzzy", orphaned: "orphaned"])
        #expect(notes.first { $0.id == orphaned }?.quote == "source of hard currency")
        #expect(notes.first { $0.id == orphaned }?.note == "o")

        // And `read` marks the passages where they now stand and lists the orphaned note plainly
        let page = try bob.ok("read", post.id)
        #expect(page.contains("(orphaned: passage no longer in the post)"))
        #expect(page.contains("textiles and iron ore were"))
        #expect(page.components(separatedBy: "<").count - 1 == 3, "three passages marked:\n\(page)")
        #expect(try bob.json([PostOutput].self, "posts").count == 8, "the post kept its id")
    }

    @Test(arguments: LiveStore.available) func theEditorPathRecordsACorrection(_ store: LiveStore) throws {
        let server = try LiveServer(store: store)
        let alice = try researcher("alice", on: server)
        try alice.ok("sync")
        let post = try #require(try alice.json([PostOutput].self, "posts").first { $0.title.hasPrefix("Seafood") })
        let environment = ["NKCLIENT_HOME": alice.home.url.path]

        let untouched = try runCommand(
            TestPaths.nkclient, ["post", "edit", post.id], environment: environment.merging(["EDITOR": "true"]) { $1 })
        #expect(untouched.succeeded && untouched.output.contains("unchanged"), "\(untouched)")

        let edited = try runCommand(
            TestPaths.nkclient, ["post", "edit", post.id],
            environment: environment.merging(["EDITOR": "sed -i -e 3s/idle/closed/"]) { $1 })
        #expect(edited.succeeded, "\(edited)")
        let titles = try alice.json([PostOutput].self, "posts").filter { $0.id == post.id }.map(\.title)
        #expect(titles == ["Seafood ban leaves processing plants closed"])
        #expect(try alice.json(StatusOutput.self, "status").pending == 1)

        let broken = try runCommand(
            TestPaths.nkclient, ["post", "edit", post.id],
            environment: environment.merging(["EDITOR": "sed -i -e s/Posted.on/Written/"]) { $1 })
        #expect(!broken.succeeded && broken.stderr.contains("line "), "\(broken)")
        #expect(try alice.json(StatusOutput.self, "status").pending == 1)
    }

    @Test(arguments: LiveStore.available) func searchFindsPostsAndNotesWithFilters(_ store: LiveStore) throws {
        let server = try LiveServer(store: store)
        let alice = try researcher("alice", on: server)
        let bob = try researcher("bob", on: server)
        try alice.ok("sync")
        try bob.ok("sync")
        let post = try #require(try alice.json([PostOutput].self, "posts").first { $0.title.hasPrefix("Seafood") })
        let note = try alice.ok(
            "annotate", post.id, "--quote", "hard currency", "--note", "Which hard currency, exactly?", "--tag",
            "money")
        try alice.ok("sync")
        try bob.ok("sync")

        let hits = try bob.json([Hit].self, "search", "\"hard currency\"")
        #expect(hits.contains { $0.kind == "note" && $0.id == note && $0.author == "alice" && $0.tags == ["money"] })
        #expect(hits.contains { $0.kind == "post" && $0.id == post.id && $0.snippet.contains("[hard currency]") })
        #expect(hits.map(\.rank) == hits.map(\.rank).sorted())
        #expect(Set(hits.map { "\($0.kind)\($0.id)" }).count == hits.count, "one hit per record")

        #expect(try bob.json([Hit].self, "search", "sanction*").count >= 3)
        let tagged = try bob.json([Hit].self, "search", "currency", "--tag", "money")
        #expect(Set(tagged.map(\.id)) == [note, post.id])
        let byAuthor = try bob.json([Hit].self, "search", "currency", "--author", "alice")
        #expect(byAuthor.map(\.id) == [note])
        let bySource = try bob.json([Hit].self, "search", "sanctions", "--source", "Coastal Review")
        #expect(bySource.map(\.postId).allSatisfy { $0 == post.id } && !bySource.isEmpty)
        #expect(try bob.json([NoteOutput].self, "notes", "--tag", "money", "--post", post.id).map(\.id) == [note])
        #expect(try bob.json([NoteOutput].self, "notes", "--author", "bob").isEmpty)

        // What people type is read as words: an unbalanced quote is a phrase to the end, a hyphenated
        // name or a stray operator are words, and stemming finds other forms.
        let unbalanced = try bob.json([Hit].self, "search", "\"hard currency")
        #expect(unbalanced.contains { $0.id == post.id })
        for typed in ["Kim Jong-un", "O'Brien's", "title:(", "NOT sanctions", "sanctions)"] {
            let result = try bob.run(["search", typed, "--json"])
            #expect(result.succeeded, "\(typed): \(result)")
        }
        #expect(try bob.json([Hit].self, "search", "sanction").contains { $0.id == post.id })
        for (arguments, message) in [
            (["search", "--", "*"], "error: the search query has no word"),
            (["search", "currency", "--since", "soon"], "error: --since must be a day"),
            (["search", "currency", "--sort", "size"], "error: --sort must be rank or date"),
        ] {
            let refused = try bob.run(arguments)
            #expect(!refused.succeeded && refused.stderr.hasPrefix(message), "\(refused)")
            #expect(refused.stderr.split(separator: "\n").count == 1, "\(refused)")
        }
        let byDate = try bob.json([Hit].self, "search", "currency", "--sort", "date", "--since", "2020-01-01")
        #expect(byDate.first?.id == note)

        let plain = try bob.ok("search", "currency", "--author", "alice")
        #expect(plain.contains("note  \(note.prefix(8))") && plain.contains("[currency]"))
    }

    @Test(arguments: LiveStore.available) func markdownAndW3CExportToFiles(_ store: LiveStore) throws {
        let server = try LiveServer(store: store)
        let alice = try researcher("alice", on: server)
        try alice.ok("sync")
        let post = try #require(try alice.json([PostOutput].self, "posts").first { $0.title.hasPrefix("Seafood") })
        let note = try alice.ok(
            "annotate", post.id, "--quote", "the last honest business left", "--note", "A quotable line.", "--tag",
            "quotes")
        try alice.ok("annotate", post.id, "--quote", "hard currency", "--note", "Not for export.", "--tag", "other")
        let folder = try TemporaryFolder("nk-export")
        defer { folder.remove() }

        let markdownPath = folder.path("notes.md")
        try alice.ok("export", "--format", "markdown", "--tag", "quotes", "--output", markdownPath)
        let markdown = try String(contentsOfFile: markdownPath, encoding: .utf8)
        #expect(markdown.hasPrefix("# Seafood ban leaves processing plants idle\n"))
        #expect(markdown.contains("> the last honest business left\n\nA quotable line."))
        #expect(!markdown.contains("Not for export."))

        let w3cPath = folder.path("notes.jsonld")
        try alice.ok("export", "--format", "w3c", "--post", post.id, "--output", w3cPath)
        let document = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: w3cPath))) as? [String: Any])
        #expect(document["@context"] as? String == "http://www.w3.org/ns/anno.jsonld")
        #expect(document["total"] as? Int == 2)
        let items = try #require((document["first"] as? [String: Any])?["items"] as? [[String: Any]])
        #expect(items.contains { $0["id"] as? String == "urn:uuid:\(note)" })
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: folder.url.path).sorted() == [
                "notes.jsonld", "notes.md",
            ])

        let stdout = try alice.ok("export", "--format", "markdown", "--post", post.id)
        #expect(stdout.contains("Not for export.") && stdout.contains("A quotable line."))

        let invalid = try alice.run(["export", "--format", "pdf"])
        #expect(!invalid.succeeded && invalid.stderr.contains("markdown, w3c"), "\(invalid)")
    }
}
