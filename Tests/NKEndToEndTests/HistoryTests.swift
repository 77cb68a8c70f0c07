import Foundation
import NKTestSupport
import NKTestTraits
import Testing

/// Nothing a researcher wrote is lost (issue 15): history and restore, the trash, imports that
/// respect corrections, and post conflicts settled each way; three researchers on a live server,
/// on each store.
@Suite(.serialized, .processes, .tags(.live, .postgres)) struct HistoryTests {
    struct Lab {
        let server: LiveServer
        let alice: Researcher
        let bob: Researcher
        let carol: Researcher
        let dandong: String
        let seafood: String

        init(store: LiveStore) throws {
            server = try LiveServer(store: store)
            var made: [Researcher] = []
            for name in ["alice", "bob", "carol"] {
                let token = try server.addUser(name)
                let researcher = try Researcher(name)
                try researcher.ok("init", "--server", server.url, "--token", token)
                try researcher.ok("sync")
                made.append(researcher)
            }
            (alice, bob, carol) = (made[0], made[1], made[2])
            let posts = try alice.json([PostOutput].self, "posts")
            dandong = try #require(posts.first { $0.title == "Dandong traders report slower winter crossings" }).id
            seafood = try #require(posts.first { $0.title == "Seafood ban leaves processing plants idle" }).id
        }

        func syncAll() throws {
            // Twice round: what the last one pushes reaches the first.
            for researcher in [alice, bob, carol, alice, bob] { try researcher.ok("sync") }
        }

        /// Runs nkclient with `$EDITOR` set: the editor command gets the file's path as its last argument.
        func withEditor(_ researcher: Researcher, _ editor: String, _ arguments: String...) throws -> CommandResult {
            try runCommand(
                researcher.nkclient, arguments,
                environment: ["NKCLIENT_HOME": researcher.home.url.path, "EDITOR": editor])
        }

        func text(_ researcher: Researcher, _ post: String) throws -> String {
            try researcher.json(ReadOutput.self, "read", post, "--json").post.body.joined(separator: "\n\n")
        }

        /// The sample file of the border-trade posts, with `replacements` made, in a new folder.
        func changedDump(_ replacements: [(String, String)]) throws -> (TemporaryFolder, String) {
            let source = try #require(TestPaths.sampleCorpus.first { $0.lastPathComponent == "border-trade.txt" })
            var text = try String(contentsOf: source, encoding: .utf8)
            for (old, new) in replacements {
                #expect(text.contains(old), "the sample corpus no longer says '\(old)'")
                text = text.replacingOccurrences(of: old, with: new)
            }
            let folder = try TemporaryFolder("nk-dump")
            let path = folder.path("border-trade.txt")
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return (folder, path)
        }
    }

    struct ReadOutput: Decodable {
        struct Post: Decodable { var body: [String] }
        struct Conflict: Decodable {
            var versions: Int
            var shown: Int
        }
        var post: Post
        var conflict: Conflict?
    }

    struct HistoryLine: Decodable {
        var number: Int
        var current: Bool
        var editor: String?
        var deleted: Bool
    }

    struct TrashLine: Decodable {
        var id: String
        var author: String
    }

    @Test(arguments: LiveStore.available) func aSharedNoteEmptiedByAColleagueIsRestoredFromItsHistory(
        _ store: LiveStore
    ) throws {
        let lab = try Lab(store: store)
        let (alice, bob, carol) = (lab.alice, lab.bob, lab.carol)

        // Given alice's shared note, which carol empties
        let note = try alice.ok(
            "annotate", lab.seafood, "--quote", "hard currency", "--note", "Compare with the coal ban.", "--tag",
            "sanctions")
        try lab.syncAll()
        try carol.ok("edit", note, "--note", "", "--tag", "")
        try lab.syncAll()
        #expect(try bob.json([NoteOutput].self, "notes").first { $0.id == note }?.note == "")

        // Then every version is in its history, newest first, with who wrote it
        let history = try alice.json([HistoryLine].self, "history", note, "--json")
        #expect(history.map(\.editor) == ["carol", "alice"])
        #expect(history.map(\.number) == [2, 1])
        #expect(history.map(\.current) == [true, false])
        let shown = try alice.ok("history", note)
        #expect(shown.contains("[-Compare with the coal ban.-]") && shown.contains("tags: -sanctions"), "\(shown)")

        // When alice restores version 1, it syncs like an edit
        #expect(try alice.ok("restore", note, "--version", "1").contains("restored version 1"))
        try lab.syncAll()
        let restored = try #require(try bob.json([NoteOutput].self, "notes").first { $0.id == note })
        #expect(restored.note == "Compare with the coal ban." && restored.tags == ["sanctions"])
        #expect(try carol.json([HistoryLine].self, "history", note, "--json").count == 3)

        // A version that does not exist is one clear line
        let missing = try alice.run(["restore", note, "--version", "9"])
        #expect(missing.status != 0 && missing.stderr.contains("has versions 1 to 3"), "\(missing)")

        // The trash: alice deletes it; bob sees it there and may not restore it; alice may
        try alice.ok("delete", note)
        try lab.syncAll()
        #expect(try bob.json([TrashLine].self, "trash", "--json").map(\.id) == [note])
        let refused = try bob.run(["restore", note])
        #expect(refused.status != 0 && refused.stderr.contains("only the author (alice)"), "\(refused)")
        #expect(try bob.json(StatusOutput.self, "status").pending == 0)
        try alice.ok("restore", note)
        try lab.syncAll()
        #expect(try bob.json([TrashLine].self, "trash", "--json").isEmpty)
        #expect(try bob.json([NoteOutput].self, "notes").first { $0.id == note }?.note == "Compare with the coal ban.")

        // Offline, history shows what this replica has held, and says so
        lab.server.stop()
        let offline = try carol.ok("history", note)
        #expect(offline.contains("offline"), "\(offline)")
        #expect(offline.contains("[-Compare with the coal ban.-]"), "\(offline)")
    }

    @Test(arguments: LiveStore.available) func correctionsSurviveReimportsAndPostConflictsAreSettledEachWay(
        _ store: LiveStore
    ) throws {
        let lab = try Lab(store: store)
        let (alice, bob, carol) = (lab.alice, lab.bob, lab.carol)

        // Given alice corrects the Dandong post and carol the seafood post
        #expect(try lab.withEditor(alice, "sed -i 's/three days/four days/'", "post", "edit", lab.dandong).succeeded)
        #expect(
            try lab.withEditor(carol, "sed -i 's/mostly idle/largely idle/'", "post", "edit", lab.seafood).succeeded)
        try lab.syncAll()

        // When the server imports the original dump again, nothing changes
        let again = try lab.server.admin(["import"] + TestPaths.sampleCorpus.map(\.path))
        #expect(again.output.hasSuffix("0 new / 0 updated / 0 merged / 0 in conflict / 8 unchanged)"), "\(again)")
        try lab.syncAll()
        #expect(try lab.text(bob, lab.dandong).contains("four days"))
        #expect(try lab.text(bob, lab.seafood).contains("largely idle"))

        // A changed dump: elsewhere in the Dandong post (merged), where carol corrected (conflict)
        let (folder, dump) = try lab.changedDump([
            ("remains steady", "remains steady this month"), ("stand mostly idle", "stand almost entirely idle"),
        ])
        defer { folder.remove() }
        let changed = try lab.server.admin(["import", dump])
        #expect(changed.output.contains("1 merged / 1 in conflict"), "\(changed)")
        try lab.syncAll()
        let merged = try lab.text(bob, lab.dandong)
        #expect(merged.contains("four days") && merged.contains("remains steady this month"), "\(merged)")
        let conflicts = try bob.json([PostConflictOutput].self, "conflicts", "--json")
        let seafoodConflict = try #require(conflicts.first { $0.id == lab.seafood })
        #expect(Set(seafoodConflict.versions.map { $0.text?.contains("largely idle") == true }) == [true, false])
        let listed = try bob.ok("conflicts")
        #expect(listed.contains("{+almost entirely+}") || listed.contains("[-almost entirely-]"), "\(listed)")
        let read = try bob.json(ReadOutput.self, "read", lab.seafood, "--json")
        #expect(read.conflict?.versions == 2)
        #expect(try bob.ok("read", lab.seafood).contains("This post is in conflict: 2 versions"))
        let edit = try lab.withEditor(bob, "true", "post", "edit", lab.seafood)
        #expect(edit.status != 0 && edit.stderr.contains("is in conflict"), "\(edit)")

        // Settled by --pick: bob keeps carol's correction
        let carols = try #require(seafoodConflict.versions.firstIndex { $0.text?.contains("largely idle") == true })
        try bob.ok("resolve", lab.seafood, "--pick", String(carols))
        try lab.syncAll()
        for researcher in [alice, bob, carol] {
            #expect(try researcher.json([PostConflictOutput].self, "conflicts", "--json").isEmpty)
            #expect(try lab.text(researcher, lab.seafood).contains("largely idle"))
        }

        // Two concurrent corrections of one paragraph, settled in $EDITOR with both versions marked
        #expect(
            try lab.withEditor(alice, "sed -i 's/blankets/blankets and food/'", "post", "edit", lab.dandong).succeeded)
        #expect(try lab.withEditor(carol, "sed -i 's/blankets/heavy blankets/'", "post", "edit", lab.dandong).succeeded)
        try lab.syncAll()
        let keepSecond = "sed -i '/^<<<<<<< /,/^=======$/d; /^>>>>>>> /d'"
        let settled = try lab.withEditor(carol, keepSecond, "resolve", lab.dandong)
        #expect(settled.succeeded, "\(settled)")
        try lab.syncAll()
        let kept = try lab.text(alice, lab.dandong)
        #expect(kept.contains("heavy blankets") != kept.contains("blankets and food"), "\(kept)")
        #expect(try lab.text(bob, lab.dandong) == kept && lab.text(carol, lab.dandong) == kept)

        // And by --file: another conflict, settled with a text written by hand
        #expect(
            try lab.withEditor(alice, "sed -i 's/rice cookers/electric rice cookers/'", "post", "edit", lab.dandong)
                .succeeded)
        #expect(try lab.withEditor(bob, "sed -i 's/rice cookers/rice-cookers/'", "post", "edit", lab.dandong).succeeded)
        try lab.syncAll()
        let marked = try lab.withEditor(alice, "sed -i 's/^Category/Category/'", "resolve", lab.dandong)
        #expect(marked.status != 0 && marked.stderr.contains("conflict marker"), "\(marked)")
        #expect(try alice.json(StatusOutput.self, "status").conflicts == 1)
        let hand = lab.bob.home.path("settled.txt")
        let settledText = try lab.text(alice, lab.dandong)
            .replacingOccurrences(of: "electric rice cookers", with: "rice cookers (electric)")
            .replacingOccurrences(of: "rice-cookers", with: "rice cookers (electric)")
        try """
        Category: Border Trade

        Dandong traders report slower winter crossings

        Posted on by

        \(settledText)

        [Sample Wire]

        """.write(toFile: hand, atomically: true, encoding: .utf8)
        try bob.ok("resolve", lab.dandong, "--file", hand)
        try lab.syncAll()
        for researcher in [alice, bob, carol] {
            let text = try lab.text(researcher, lab.dandong)
            #expect(text.contains("rice cookers (electric)") && text.contains("four days"), "\(text)")
            #expect(text.contains("heavy blankets") != text.contains("blankets and food"), "\(text)")
        }

        // Every correction is in the history, with the merges
        let history = try bob.ok("history", lab.dandong)
        #expect(history.contains("merges"), "\(history)")
        #expect(history.contains(" import "), "\(history)")
    }
}

struct PostConflictOutput: Decodable {
    struct Version: Decodable {
        var title: String?
        var text: String?
        var editor: String?
    }

    var id: String
    var type: String
    var versions: [Version]
}
