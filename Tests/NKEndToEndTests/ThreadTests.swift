import Foundation
import NKTestSupport
import NKTestTraits
import Testing

/// Notes on whole posts, replies and re-attaching, with the real binaries: alice and bob in `north`,
/// carol in `south` (``SharingTests/Lab``).
@Suite(.serialized, .processes, .tags(.live, .postgres)) struct ThreadTests {
    typealias Lab = SharingTests.Lab

    @Test(arguments: LiveStore.available) func repliesFollowTheirNoteAndKeepItsVisibility(_ store: LiveStore) throws {
        let lab = try Lab(store: store)
        let (alice, bob, carol) = (lab.alice, lab.bob, lab.carol)

        // Given a note on the whole post, a shared note and a north note by alice
        let page = try alice.ok("annotate", lab.post, "--note", "The whole story is a rumour", "--tag", "Rumour")
        let shared = try alice.ok("annotate", lab.post, "--quote", lab.quote, "--note", "For everyone")
        let north = try alice.ok(
            "annotate", lab.post, "--quote", "processing plants", "--occurrence", "1", "--note", "North only",
            "--group", "north")
        try lab.syncAll()

        // When bob and carol reply to the shared note, bob to the north note, and alice answers bob
        let bobReply = try bob.ok("reply", shared, "--note", "Agreed, see the March report")
        let northReply = try bob.ok("reply", north, "--note", "Only for us")
        try lab.syncAll()
        try lab.syncAll()
        let carolReply = try carol.ok("reply", shared, "--note", "Not so sure")
        let answer = try alice.ok("reply", bobReply, "--note", "Which report?")
        try lab.syncAll()
        try lab.syncAll()

        // Then everyone sees the thread under its note, in order, the page note first
        let aliceNotes = try alice.json([NoteOutput].self, "notes", "--post", lab.post)
        // (Replies to one note follow oldest first; bob's and carol's may carry the same second, and
        // then their order is their ids': only the threads are checked here.)
        let order = aliceNotes.map(\.id)
        #expect(Set(order) == [page, north, northReply, shared, bobReply, answer, carolReply])
        #expect(order.prefix(4) == [page, north, northReply, shared], "\(aliceNotes.map(\.note))")
        let bobAt = try #require(order.firstIndex(of: bobReply))
        #expect(order[bobAt + 1] == answer, "a reply's replies follow it: \(aliceNotes.map(\.note))")
        let depths = Dictionary(uniqueKeysWithValues: aliceNotes.map { ($0.id, $0.depth ?? -1) })
        #expect(
            [page, north, northReply, shared, bobReply, answer, carolReply].map { depths[$0] } == [0, 0, 1, 0, 1, 2, 1])
        #expect(aliceNotes.first?.target == "post" && aliceNotes.first?.quote == nil)
        let byId = Dictionary(uniqueKeysWithValues: aliceNotes.map { ($0.id, $0) })
        #expect(byId[bobReply]?.target == "reply" && byId[bobReply]?.replyTo == shared)
        #expect(byId[northReply]?.visibility == "group:north")
        #expect(byId[carolReply]?.visibility == "shared" && byId[carolReply]?.author == "carol")

        // A reply to a north note stays in the group: carol never receives it
        let carolIds = Set(try carol.json([NoteOutput].self, "notes").map(\.id))
        #expect(carolIds == [page, shared, bobReply, answer, carolReply])

        // read shows the page note and the thread, replies indented under their note
        let read = try bob.ok("read", lab.post)
        #expect(read.contains("(on the whole post)"), "\(read)")
        #expect(read.contains("\n    [3] bob · group:north\n        ↳ reply\n        Only for us\n"), "\(read)")
        #expect(read.contains("↳ reply"), "\(read)")
        let listing = try bob.ok("notes", "--post", lab.post)
        #expect(listing.contains("    (on the whole post)"), "\(listing)")
        #expect(listing.contains("        ↳ reply\n"), "\(listing)")

        // Exports: a page note targets the post, a reply the note it answers
        let w3c = try alice.ok("export", "--format", "w3c", "--post", lab.post)
        let items = try #require(
            ((try JSONSerialization.jsonObject(with: Data(w3c.utf8)) as? [String: Any])?["first"] as? [String: Any])?[
                "items"] as? [[String: Any]])
        let exported = Dictionary(
            uniqueKeysWithValues: items.compactMap { item in
                (item["id"] as? String).map { ($0, item) }
            })
        #expect(exported["urn:uuid:\(page)"]?["target"] as? String == "urn:nksync:post:\(lab.post)")
        #expect(exported["urn:uuid:\(bobReply)"]?["target"] as? String == "urn:uuid:\(shared)")
        #expect(exported["urn:uuid:\(bobReply)"]?["motivation"] as? String == "replying")
        let markdown = try alice.ok("export", "--format", "markdown", "--post", lab.post)
        #expect(markdown.contains("On the whole post:"), "\(markdown)")
        #expect(markdown.contains("↳ ↳ Reply:"), "\(markdown)")

        // A reply to a deleted note stays readable, its parent shown as deleted; no new reply to it
        try alice.ok("delete", shared)
        try lab.syncAll()
        let afterDelete = try bob.json([NoteOutput].self, "notes", "--post", lab.post)
        let orphanReply = try #require(afterDelete.first { $0.id == bobReply })
        #expect(orphanReply.parentDeleted == true && orphanReply.depth == 0)
        #expect(afterDelete.first { $0.id == answer }?.depth == 1)
        #expect(try bob.ok("notes", "--post", lab.post).contains("↳ reply to a deleted note"))
        let late = try carol.run(["reply", shared, "--note", "Too late"])
        #expect(!late.succeeded && late.stderr.contains("was deleted"), "\(late)")
        #expect(try carol.json(LastSyncOutput.self, "status").pending == 0)
    }

    @Test(arguments: LiveStore.available) func theServerRefusesRepliesNobodyMayWrite(_ store: LiveStore) throws {
        let lab = try Lab(store: store)
        let (alice, bob) = (lab.alice, lab.bob)
        let secret = try alice.ok("annotate", lab.post, "--quote", "hard currency", "--note", "Mine", "--private")
        let north = try alice.ok("annotate", lab.post, "--quote", lab.quote, "--note", "North", "--group", "north")
        let ownReply = try alice.ok("reply", secret, "--note", "A note to myself")
        try lab.syncAll()
        let bobReply = try bob.ok("reply", north, "--note", "Seen")
        try bob.ok("sync")
        #expect(try alice.json([NoteOutput].self, "notes").first { $0.id == ownReply }?.visibility == "private")

        // A modified client pushes replies bob may not write
        let otherPost = try #require(try bob.json([PostOutput].self, "posts").first { $0.id != lab.post }?.id)
        let config = try bob.config()
        let token = try #require(config["token"])
        let replica = try #require(config["replica"])
        let record = try RawHTTP.send("GET", "\(lab.server.url)/v1/records/annotation/\(bobReply)", token: token)
        let template = try #require((try record.object()["versions"] as? [[String: Any]])?.first)
        func forged(_ change: (inout [String: Any]) -> Void) throws -> [String: Any] {
            var version = template
            var annotation = try #require(version["annotation"] as? [String: Any])
            let id = UUID().uuidString.lowercased()
            annotation["id"] = id
            change(&annotation)
            version["id"] = id
            version["annotation"] = annotation
            version["version"] = [replica: 1]
            version["editor"] = nil
            return version
        }
        let attempts: [(String, [String: Any])] = [
            (
                "unknown_parent",
                try forged {
                    $0["replyTo"] = secret; $0["visibility"] = "private"
                }
            ),
            ("forbidden", try forged { $0["visibility"] = "shared" }),
            ("unknown_parent", try forged { $0["replyTo"] = UUID().uuidString.lowercased() }),
            ("invalid_record", try forged { $0["postId"] = otherPost }),
            (
                "invalid_record",
                try forged {
                    $0["anchor"] = ["exact": "x", "prefix": "", "suffix": "", "start": 0, "end": 1]
                }
            ),
        ]
        let pushed = try RawHTTP.send(
            "POST", "\(lab.server.url)/v1/push", token: token,
            json: ["replica": replica, "versions": attempts.map(\.1)])
        #expect(pushed.status == 200, "\(String(decoding: pushed.body, as: UTF8.self))")
        let results = try #require(try pushed.object()["results"] as? [[String: Any]])
        #expect(results.map { $0["status"] as? String } == Array(repeating: "rejected", count: attempts.count))
        #expect(results.map { $0["code"] as? String } == attempts.map(\.0), "\(results)")

        // A reply cannot be moved to another note, nor a note made a reply
        var moved = template
        var annotation = try #require(moved["annotation"] as? [String: Any])
        annotation["replyTo"] = nil
        moved["annotation"] = annotation
        var vector = try #require(moved["version"] as? [String: Int])
        vector[replica, default: 0] += 1
        moved["version"] = vector
        moved["editor"] = nil
        let move = try RawHTTP.send(
            "POST", "\(lab.server.url)/v1/push", token: token, json: ["replica": replica, "versions": [moved]])
        let moveResult = try #require((try move.object()["results"] as? [[String: Any]])?.first)
        #expect(moveResult["code"] as? String == "invalid_record", "\(moveResult)")

        // The client refuses what the server would: a passage or another visibility for a reply
        let passage = try bob.run(["edit", bobReply, "--quote", lab.quote])
        #expect(!passage.succeeded && passage.stderr.contains("a reply is on the note it answers"), "\(passage)")
        let widen = try bob.run(["edit", bobReply, "--shared"])
        #expect(!widen.succeeded && widen.stderr.contains("keeps the visibility"), "\(widen)")
    }

    @Test(arguments: LiveStore.available) func anOrphanedNoteIsReattachedToAPassageOfTheCurrentPost(_ store: LiveStore)
        throws
    {
        let lab = try Lab(store: store)
        let (alice, bob) = (lab.alice, lab.bob)
        let note = try alice.ok("annotate", lab.post, "--quote", "source of hard currency", "--note", "Earnings")
        let page = try alice.ok("annotate", lab.post, "--note", "On the whole post")
        try lab.syncAll()

        // Given bob corrects the post so that alice's passage is gone
        let folder = try TemporaryFolder("nk-threads")
        defer { folder.remove() }
        let file = folder.path("seafood.txt")
        try ReadingTests.correctedSeafoodPost.write(toFile: file, atomically: true, encoding: .utf8)
        #expect(try bob.ok("post", "edit", lab.post, "--file", file).contains("corrected"))
        try bob.ok("sync")
        try alice.ok("sync")
        #expect(try alice.json([NoteOutput].self, "notes").first { $0.id == note }?.anchor == "orphaned")

        // When alice re-attaches it to the corrected passage, and gives the page note a passage
        let moved = try alice.run(["edit", note, "--quote", "source of FOREIGN earnings", "--occurrence", "1"])
        #expect(moved.succeeded, "\(moved)")
        try alice.ok("edit", page, "--quote", "Workers who once sorted squid")
        let wrong = try alice.run(["edit", note, "--quote", "not in this post at all"])
        #expect(!wrong.succeeded && wrong.stderr.contains("does not occur"), "\(wrong)")
        try alice.ok("sync")
        try bob.ok("sync")

        // Then bob sees both at their new passages, in the post's own characters, found exactly
        let notes = Dictionary(uniqueKeysWithValues: try bob.json([NoteOutput].self, "notes").map { ($0.id, $0) })
        #expect(notes[note]?.quote == "source of foreign earnings" && notes[note]?.anchor == "exact")
        #expect(notes[page]?.quote == "Workers who once sorted squid" && notes[page]?.target == "passage")
        let history = try bob.ok("history", note)
        #expect(history.contains("passage: “source of hard currency” → “source of foreign earnings”"), "\(history)")
        #expect(try bob.ok("history", page).contains("passage: the whole post → “Workers who once sorted squid”"))
    }

    /// A client from before notes on whole posts and replies cannot decode them: the server leaves them
    /// out of its pulls unless the client says it reads them (`NK-Features: threads`), and such a
    /// client, once upgraded, pulls everything again, once, to get what it was not sent.
    @Test func aClientThatDoesNotReadThreadsIsNotSentThemAndGetsThemOnceUpgraded() throws {
        let lab = try Lab(store: .sqlite)
        let (alice, bob) = (lab.alice, lab.bob)
        let note = try alice.ok("annotate", lab.post, "--quote", lab.quote, "--note", "A note")
        try alice.ok("sync")
        try bob.ok("sync")
        let page = try bob.ok("annotate", lab.post, "--note", "On the whole post")
        let reply = try bob.ok("reply", note, "--note", "A reply")
        try bob.ok("sync")

        let config = try alice.config()
        let token = try #require(config["token"])
        func pulled(_ headers: [String: String]) throws -> Set<String> {
            let answer = try RawHTTP.send(
                "GET", "\(lab.server.url)/v1/changes?since=0&limit=1000", token: token, headers: headers)
            let changes = try #require(try answer.object()["changes"] as? [[String: Any]])
            return Set(changes.compactMap { ($0["record"] as? [String: Any])?["id"] as? String })
        }
        let old = try pulled([:])
        #expect(old.contains(note) && !old.contains(page) && !old.contains(reply))
        let current = try pulled(["NK-Features": "threads"])
        #expect(current.isSuperset(of: [note, page, reply]))

        // Alice's replica as a client from before would have left it: the cursor past both, no flag
        try alice.ok("sync")
        let database = alice.home.path("replica.sqlite")
        let latest = try #require(try alice.json(LastSyncOutput.self, "status").cursor)
        try HostileTextTests.sql(
            database,
            "DELETE FROM versions WHERE recordId IN ('\(page)', '\(reply)'); DELETE FROM state WHERE key = 'pulledThreads';"
        )
        #expect(!Set(try alice.json([NoteOutput].self, "notes").map(\.id)).contains(reply))

        // When it syncs as the current client, it pulls everything again, once
        try alice.ok("sync")
        let notes = try alice.json([NoteOutput].self, "notes")
        #expect(Set(notes.map(\.id)) == [note, page, reply])
        #expect(try alice.json(LastSyncOutput.self, "status").cursor == latest)
        #expect(try alice.ok("log").components(separatedBy: "\n").count { $0.contains(note) } <= 1)
    }
}
