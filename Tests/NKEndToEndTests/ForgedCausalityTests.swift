import Foundation
import NKTestSupport
import NKTestTraits
import Testing

/// Issue 13's attacks, sent over raw HTTP by a modified client against a real server, with the
/// honest researchers on the real `nkclient`: alice and bob in `north`, carol in `south`.
@Suite(.serialized, .processes, .tags(.live, .postgres)) struct ForgedCausalityTests {
    typealias Lab = SharingTests.Lab

    /// Bob's forged push of alice's note: its current version, with `note` as text and `vector`
    /// as its version vector. Returns the item's result.
    static func forge(
        _ lab: Lab, note id: String, text: String, vector: (_ alice: String, _ bob: String) -> [String: UInt64]
    ) throws -> [String: Any] {
        let config = try lab.bob.config()
        let token = try #require(config["token"])
        let bobsReplica = try #require(config["replica"])
        let alicesReplica = try #require(try lab.alice.config()["replica"])
        let record = try RawHTTP.send("GET", "\(lab.server.url)/v1/records/annotation/\(id)", token: token)
        #expect(record.status == 200)
        var version = try #require((try record.object()["versions"] as? [[String: Any]])?.first)
        var annotation = try #require(version["annotation"] as? [String: Any])
        annotation["note"] = text
        version["annotation"] = annotation
        version["version"] = vector(alicesReplica, bobsReplica)
        version["editor"] = nil
        let pushed = try RawHTTP.send(
            "POST", "\(lab.server.url)/v1/push", token: token, json: ["replica": bobsReplica, "versions": [version]])
        #expect(pushed.status == 200, "\(String(decoding: pushed.body, as: UTF8.self))")
        return try #require((try pushed.object()["results"] as? [[String: Any]])?.first)
    }

    @Test(arguments: LiveStore.available)
    func aForgedCounterOfAnotherReplicaIsRefusedAndTheAuthorsEditsStillReachEveryone(_ store: LiveStore) throws {
        // Given alice's shared note, on every replica
        let lab = try Lab(store: store)
        let (alice, bob, carol) = (lab.alice, lab.bob, lab.carol)
        let note = try alice.ok("annotate", lab.post, "--quote", lab.quote, "--note", "Alice's first word")
        try lab.syncAll()

        // When bob claims edit 1000 of alice's replica
        let forged = try Self.forge(lab, note: note, text: "Bob's takeover") { alice, bob in
            [alice: 1000, bob: 1]
        }

        // Then it is refused, and alice's next edits (a new text, then making it private) reach everyone
        #expect(forged["status"] as? String == "rejected")
        #expect(forged["code"] as? String == "unknown_causality")
        try alice.ok("edit", note, "--note", "Alice's second word")
        try lab.syncAll()
        #expect(try lab.notes(alice)[note]?.note == "Alice's second word")
        #expect(try lab.notes(bob)[note]?.note == "Alice's second word")
        #expect(try lab.notes(carol)[note]?.note == "Alice's second word")
        try alice.ok("edit", note, "--private")
        try lab.syncAll()
        #expect(try lab.notes(alice)[note]?.visibility == "private")
        #expect(try lab.notes(bob)[note] == nil)
        #expect(try lab.notes(carol)[note] == nil)
        #expect(try alice.json(LastSyncOutput.self, "status").pending == 0)
    }

    @Test(arguments: LiveStore.available)
    func aCounterAtTheLimitCannotBlockTheAuthor(_ store: LiveStore) throws {
        let lab = try Lab(store: store)
        let (alice, bob) = (lab.alice, lab.bob)
        let note = try alice.ok("annotate", lab.post, "--quote", lab.quote, "--note", "Alice's note")
        try lab.syncAll()

        let forged = try Self.forge(lab, note: note, text: "Blocked") { alice, bob in [alice: 1 << 53, bob: 1] }

        #expect(forged["code"] as? String == "unknown_causality")
        try alice.ok("sync")
        try alice.ok("edit", note, "--note", "Still editable")
        try alice.ok("sync")
        try alice.ok("delete", note)
        try alice.ok("sync")
        try bob.ok("sync")
        #expect(try lab.notes(bob)[note] == nil)
        #expect(try alice.json(LastSyncOutput.self, "status").pending == 0)
    }

    @Test(arguments: LiveStore.available)
    func aNoteIsHiddenOnlyFromThoseWhoCouldHaveHeldIt(_ store: LiveStore) throws {
        // Given alice's private note and a note for north (alice, bob); carol is in south
        let lab = try Lab(store: store)
        let (alice, bob, carol) = (lab.alice, lab.bob, lab.carol)
        let secret = try alice.ok("annotate", lab.post, "--quote", lab.quote, "--note", "Mine", "--private")
        let north = try alice.ok("annotate", lab.post, "--quote", lab.quote, "--note", "North", "--group", "north")
        try alice.ok("sync")
        try bob.ok("sync")
        #expect(try lab.notes(bob)[north] != nil)
        let alicesReplica = try #require(try alice.config()["replica"])

        // When carol pulls: no trace of either (no id, no replica id of alice's); and the page says `latest`
        let carolsToken = try #require(try carol.config()["token"])
        let carols = try RawHTTP.send("GET", "\(lab.server.url)/v1/changes?since=0&limit=1000", token: carolsToken)
        let text = String(decoding: carols.body, as: UTF8.self)
        #expect(carols.status == 200)
        for trace in [secret, north, alicesReplica] { #expect(!text.contains(trace), "\(trace)") }
        #expect(try carols.object()["latest"] as? Int != nil)

        // When bob leaves north: his pull has the hidden entry, and the note leaves his replica
        #expect(try lab.server.admin(["group", "remove-member", "north", "bob"]).succeeded)
        let bobsToken = try #require(try bob.config()["token"])
        let bobs = try RawHTTP.send("GET", "\(lab.server.url)/v1/changes?since=0&limit=1000", token: bobsToken)
        let hidden = (try bobs.object()["changes"] as? [[String: Any]] ?? []).compactMap {
            ($0["hidden"] as? [String: Any])?["id"] as? String
        }
        #expect(hidden == [north])
        try bob.ok("sync")
        #expect(try lab.notes(bob)[north] == nil)
        let again = try RawHTTP.send("GET", "\(lab.server.url)/v1/changes?since=0&limit=1000", token: carolsToken)
        #expect(!String(decoding: again.body, as: UTF8.self).contains(north))
    }

    @Test(arguments: LiveStore.available)
    func aPushToAnIdTheUserMayNotSeeAnswersAsAnUnknownId(_ store: LiveStore) throws {
        let lab = try Lab(store: store)
        let secret = try lab.alice.ok(
            "annotate", lab.post, "--quote", lab.quote, "--note", "Alice's secret", "--private")
        let north = try lab.alice.ok("annotate", lab.post, "--quote", lab.quote, "--note", "North", "--group", "north")
        try lab.alice.ok("sync")
        let own = try lab.carol.ok("annotate", lab.post, "--quote", lab.quote, "--note", "Carol's")
        try lab.carol.ok("sync")
        let config = try lab.carol.config()
        let token = try #require(config["token"])
        let replica = try #require(config["replica"])
        // A version of carol's own note, made into a probe of another id
        let record = try RawHTTP.send("GET", "\(lab.server.url)/v1/records/annotation/\(own)", token: token)
        let template = try #require((try record.object()["versions"] as? [[String: Any]])?.first)

        func push(_ id: String, counter: Int) throws -> [String: Any] {
            var version = template
            var annotation = try #require(version["annotation"] as? [String: Any])
            annotation["id"] = id
            version["annotation"] = annotation
            version["id"] = id
            version["version"] = [replica: counter]
            let pushed = try RawHTTP.send(
                "POST", "\(lab.server.url)/v1/push", token: token, json: ["replica": replica, "versions": [version]])
            #expect(pushed.status == 200)
            var result = try #require((try pushed.object()["results"] as? [[String: Any]])?.first)
            result["id"] = nil
            return result
        }

        for (index, id) in [secret, north].enumerated() {
            let counter = 10 + index
            let hidden = try push(id, counter: counter)
            let unknown = try push(UUID().uuidString.lowercased(), counter: counter)
            #expect(NSDictionary(dictionary: hidden) == NSDictionary(dictionary: unknown), "\(hidden) \(unknown)")
            let read = try RawHTTP.send("GET", "\(lab.server.url)/v1/records/annotation/\(id)", token: token)
            let readUnknown = try RawHTTP.send(
                "GET", "\(lab.server.url)/v1/records/annotation/\(UUID().uuidString.lowercased())", token: token)
            #expect(read.status == 404)
            #expect(read.status == readUnknown.status && read.body == readUnknown.body)
        }
        // Nothing reached alice's notes
        try lab.alice.ok("sync")
        #expect(try lab.notes(lab.alice)[secret]?.note == "Alice's secret")
        #expect(try lab.notes(lab.alice)[north]?.note == "North")
    }
}
