import Foundation
import NKTestSupport
import NKTestTraits
import Testing

/// Three researchers in two groups on a live server: alice and bob in `north`, carol in `south`.
@Suite(.serialized, .processes, .tags(.live, .postgres)) struct SharingTests {
    struct Lab {
        let server: LiveServer
        let alice: Researcher
        let bob: Researcher
        let carol: Researcher
        let post: String
        let quote = "the latest round of sanctions"

        init(store: LiveStore) throws {
            server = try LiveServer(store: store)
            var made: [Researcher] = []
            for name in ["alice", "bob", "carol"] {
                let token = try server.addUser(name)
                let researcher = try Researcher(name)
                try researcher.ok("init", "--server", server.url, "--token", token)
                made.append(researcher)
            }
            (alice, bob, carol) = (made[0], made[1], made[2])
            for command in [
                ["group", "add", "north"], ["group", "add", "south"], ["group", "add-member", "north", "alice"],
                ["group", "add-member", "north", "bob"], ["group", "add-member", "south", "carol"],
            ] {
                let result = try server.admin(command)
                guard result.succeeded else { throw HarnessError("nkserver \(command): \(result)") }
            }
            for researcher in made { try researcher.ok("sync") }
            let posts = try alice.json([PostOutput].self, "posts")
            post = try #require(posts.first { $0.title == "Seafood ban leaves processing plants idle" }).id
        }

        func notes(_ researcher: Researcher) throws -> [String: NoteOutput] {
            Dictionary(uniqueKeysWithValues: try researcher.json([NoteOutput].self, "notes").map { ($0.id, $0) })
        }

        func syncAll() throws {
            for researcher in [alice, bob, carol] { try researcher.ok("sync") }
        }
    }

    @Test(arguments: LiveStore.available) func eachResearcherSeesExactlyWhatTheyMayAndForbiddenWritesAreRefused(
        _ store: LiveStore
    ) throws {
        let lab = try Lab(store: store)
        let (alice, bob, carol) = (lab.alice, lab.bob, lab.carol)

        // Given alice writes a shared, a private and a north note, and carol a south note
        let shared = try alice.ok("annotate", lab.post, "--quote", lab.quote, "--note", "For everyone")
        let secret = try alice.ok("annotate", lab.post, "--quote", "hard currency", "--note", "Mine", "--private")
        let north = try alice.ok(
            "annotate", lab.post, "--quote", "processing plants", "--occurrence", "1", "--note", "North only",
            "--group", "north")
        let south = try carol.ok("annotate", lab.post, "--quote", lab.quote, "--note", "South only", "--group", "south")
        #expect(try lab.notes(alice)[north]?.visibility == "group:north")

        // When everyone syncs twice
        try lab.syncAll()
        try lab.syncAll()

        // Then each sees the shared note, their own, and their groups' notes; nobody sees another's private note
        #expect(Set(try lab.notes(alice).keys) == [shared, secret, north])
        #expect(Set(try lab.notes(bob).keys) == [shared, north])
        #expect(Set(try lab.notes(carol).keys) == [shared, south])
        #expect(try lab.notes(bob)[north]?.visibility == "group:north")
        #expect(try lab.notes(bob)[north]?.author == "alice")

        // A member who is not the author edits the group note's text; alice gets it, carol still does not see it
        try bob.ok("edit", north, "--note", "North only (bob checked)")
        try bob.ok("sync")
        try lab.syncAll()
        #expect(try lab.notes(alice)[north]?.note == "North only (bob checked)")
        #expect(try lab.notes(carol)[north] == nil)

        // Carol cannot edit a north note: it is not even on her replica
        let carolEdit = try carol.run(["edit", north, "--note", "hijack"])
        #expect(carolEdit.status != 0)
        #expect(carolEdit.stderr.contains("no annotation"), "\(carolEdit)")

        // Bob may not delete alice's note nor change its visibility: refused locally, nothing pending
        let delete = try bob.run(["delete", north])
        #expect(delete.status != 0 && delete.stderr.contains("only the author (alice)"), "\(delete)")
        let widen = try bob.run(["edit", north, "--visibility", "shared"])
        #expect(widen.status != 0 && widen.stderr.contains("only the author (alice)"), "\(widen)")
        let narrow = try bob.run(["edit", shared, "--private"])
        #expect(narrow.status != 0 && narrow.stderr.contains("only the author (alice)"), "\(narrow)")
        #expect(try bob.json(LastSyncOutput.self, "status").pending == 0)

        // A forged push (a modified client) that widens alice's north note is rejected by the server
        let config = try bob.config()
        let token = try #require(config["token"])
        let replica = try #require(config["replica"])
        let record = try RawHTTP.send("GET", "\(lab.server.url)/v1/records/annotation/\(north)", token: token)
        #expect(record.status == 200)
        var version = try #require((try record.object()["versions"] as? [[String: Any]])?.first)
        var annotation = try #require(version["annotation"] as? [String: Any])
        annotation["visibility"] = "shared"
        version["annotation"] = annotation
        var vector = try #require(version["version"] as? [String: Int])
        vector[replica, default: 0] += 1
        version["version"] = vector
        version["editor"] = nil
        let forged = try RawHTTP.send(
            "POST", "\(lab.server.url)/v1/push", token: token, json: ["replica": replica, "versions": [version]])
        #expect(forged.status == 200, "\(String(decoding: forged.body, as: UTF8.self))")
        let result = try #require((try forged.object()["results"] as? [[String: Any]])?.first)
        #expect(result["status"] as? String == "rejected")
        #expect(result["code"] as? String == "forbidden")
        try carol.ok("sync")
        #expect(try lab.notes(carol)[north] == nil)

        // The log says who brought what
        let log = try bob.json([LogOutput].self, "log")
        #expect(log.contains { $0.action == "added" && $0.id == north && $0.editor == "alice" })
        #expect(!log.contains { $0.id == secret || $0.id == south })
    }

    @Test(arguments: LiveStore.available) func leavingAGroupHidesItsNotesAndRejoiningBringsThemBack(_ store: LiveStore)
        throws
    {
        let lab = try Lab(store: store)
        let (alice, bob) = (lab.alice, lab.bob)
        let north = try alice.ok("annotate", lab.post, "--quote", lab.quote, "--note", "North", "--group", "north")
        let shared = try alice.ok("annotate", lab.post, "--quote", "hard currency", "--note", "Everyone")
        try alice.ok("sync")
        try bob.ok("sync")
        #expect(Set(try lab.notes(bob).keys) == [north, shared])

        // When bob leaves north, the north note disappears on his next sync (and the log says so)
        #expect(try lab.server.admin(["group", "remove-member", "north", "bob"]).succeeded)
        try bob.ok("sync")
        #expect(Set(try lab.notes(bob).keys) == [shared])
        #expect(try bob.json([LogOutput].self, "log").first?.action == "hidden")
        #expect(try bob.json([LogOutput].self, "log").first?.id == north)

        // And a new north note written meanwhile does not reach him
        let later = try alice.ok(
            "annotate", lab.post, "--quote", "processing plants", "--occurrence", "1",
            "--group", "north", "--note", "While bob was away")
        try alice.ok("sync")
        try bob.ok("sync")
        #expect(try lab.notes(bob)[later] == nil)

        // When bob rejoins, both come back
        #expect(try lab.server.admin(["group", "add-member", "north", "bob"]).succeeded)
        try bob.ok("sync")
        let back = try lab.notes(bob)
        #expect(Set(back.keys) == [north, shared, later])
        #expect(back[north]?.note == "North" && back[later]?.note == "While bob was away")

        // Alice narrowing her shared note to private makes it disappear from bob too
        try alice.ok("edit", shared, "--visibility", "private")
        try alice.ok("sync")
        try bob.ok("sync")
        #expect(try lab.notes(bob)[shared] == nil)
        #expect(try lab.notes(alice)[shared]?.visibility == "private")
    }

    @Test(arguments: LiveStore.available) func revocationRotationAndReadOnlyAccounts(_ store: LiveStore) throws {
        let lab = try Lab(store: store)
        let (alice, carol) = (lab.alice, lab.carol)

        // Revocation stops carol with the token message and loses nothing
        let kept = try carol.ok("annotate", lab.post, "--quote", lab.quote, "--note", "Written before revocation")
        #expect(try lab.server.admin(["user", "revoke", "carol"]).succeeded)
        let refused = try carol.run(["sync"])
        #expect(refused.status == 77, "\(refused)")
        #expect(refused.stderr.contains("nkclient login --token"), "\(refused)")
        #expect(try carol.json(LastSyncOutput.self, "status").pending == 1)
        #expect(try lab.notes(carol)[kept]?.note == "Written before revocation")

        // A rotated token, given with login, continues where she stopped
        let rotated = try lab.server.admin(["token", "rotate", "carol"])
        #expect(rotated.succeeded && rotated.output.count >= 32, "\(rotated)")
        try carol.ok("login", "--token", rotated.output)
        #expect(try carol.json(SyncOutput.self, "sync").pushed == 1)
        try alice.ok("sync")
        #expect(try lab.notes(alice)[kept]?.author == "carol")

        // The old token of a rotated account stops working
        let oldToken = try #require(try alice.config()["token"])
        let aliceRotated = try lab.server.admin(["token", "rotate", "alice"])
        #expect(aliceRotated.succeeded)
        let stale = try alice.run(["sync"])
        #expect(stale.status == 77 && stale.stderr.contains("nkclient login --token"), "\(stale)")
        try alice.ok("login", "--token", aliceRotated.output)
        try alice.ok("sync")
        #expect(try alice.config()["token"] != oldToken)

        // A read-only researcher pulls but cannot push: a clear message, and the change is kept
        let daveToken = try lab.server.admin(["user", "add", "dave", "--read-only"])
        #expect(daveToken.succeeded, "\(daveToken)")
        let dave = try Researcher("dave")
        try dave.ok("init", "--server", lab.server.url, "--token", daveToken.output)
        try dave.ok("sync")
        #expect(try lab.notes(dave)[kept]?.note == "Written before revocation")
        let own = try dave.ok("annotate", lab.post, "--quote", "hard currency", "--note", "Dave's reading")
        let fresh = try alice.ok(
            "annotate", lab.post, "--quote", "processing plants", "--occurrence", "1",
            "--note", "New from alice")
        try alice.ok("sync")
        let readOnly = try dave.run(["sync"])
        #expect(readOnly.status == 77, "\(readOnly)")
        #expect(readOnly.stderr.contains("read_only") && readOnly.stderr.contains("kept"), "\(readOnly)")
        #expect(try dave.json(LastSyncOutput.self, "status").pending == 1)
        let daveNotes = try lab.notes(dave)
        #expect(daveNotes[own]?.note == "Dave's reading")
        #expect(daveNotes[fresh]?.note == "New from alice")
        try alice.ok("sync")
        #expect(try lab.notes(alice)[own] == nil)
    }
}
