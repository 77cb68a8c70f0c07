import Foundation
import NKTestSupport
import NKTestTraits
import Testing

/// Issue 15, scenario 3: a change the server rejects stays with its author, visible, fixable and
/// discardable, with real `nkserver` and `nkclient` processes on each store.
@Suite(.serialized, .processes, .tags(.live, .postgres)) struct RejectedChangesTests {
    /// `nkclient search --json`, with the mark of a rejected note.
    struct SearchOutput: Decodable {
        var kind: String
        var id: String
        var rejected: Bool?
    }

    /// `nkclient read --json`.
    struct ReadOutput: Decodable {
        var notes: [NoteOutput]
    }

    @Test(arguments: LiveStore.available) func aRejectedNoteIsListedShownFixedAndAnotherDiscarded(_ store: LiveStore)
        throws
    {
        let lab = try SharingTests.Lab(store: store)
        let (bob, carol) = (lab.bob, lab.carol)
        #expect(try lab.server.admin(["group", "add-member", "south", "bob"]).succeeded)

        // Given carol writes offline a note for a group with a typo, and one for a group she is not in
        let typo = try carol.ok(
            "annotate", lab.post, "--quote", lab.quote, "--note", "Dandong smugglers again", "--group", "china-dsk")
        let north = try carol.ok(
            "annotate", lab.post, "--quote", "hard currency", "--note", "Not my group", "--group", "north")

        // When she syncs, the server rejects both: one line each, with the reason and the fix
        let sync = try carol.run(["sync"])
        #expect(sync.succeeded, "\(sync)")
        let lines = sync.stdout.split(separator: "\n")
        let typoLine = try #require(lines.first { $0.hasPrefix("rejected annotation \(typo)") }, "\(sync)")
        #expect(typoLine.contains("(unknown_group)") && typoLine.contains("nkclient edit \(typo.prefix(8))"))
        #expect(typoLine.contains("nkclient discard \(typo.prefix(8))"))
        #expect(lines.contains { $0.hasPrefix("rejected annotation \(north)") && $0.contains("(forbidden)") })
        let status = try carol.json(StatusOutput.self, "status")
        #expect(status.rejected == 2 && status.pending == 0)
        #expect(try carol.ok("status").contains("rejected:  2 (nkclient rejected lists them)"))

        // Then `rejected` lists both with the server's reason and what to do
        let rejected = try carol.json([RejectedOutput].self, "rejected")
        #expect(rejected.map(\.id) == [typo, north])
        #expect(rejected.map(\.code) == ["unknown_group", "forbidden"])
        #expect(rejected[0].note == "Dandong smugglers again" && rejected[0].visibility == "group:china-dsk")
        #expect(rejected.allSatisfy { !$0.serverHasRecord && $0.fix.contains("discard") && !$0.message.isEmpty })
        let listed = try carol.ok("rejected")
        #expect(listed.contains("unknown_group") && listed.contains("fix: choose a group you belong to"), "\(listed)")

        // and the notes stay visible in notes, read and search, marked rejected
        let notes = try lab.notes(carol)
        #expect(notes[typo]?.rejected?.code == "unknown_group" && notes[typo]?.note == "Dandong smugglers again")
        #expect(notes[north]?.rejected?.code == "forbidden")
        let human = try carol.ok("notes")
        #expect(human.contains("REJECTED") && human.contains("rejected by the server (unknown_group"), "\(human)")
        let read = try carol.json(ReadOutput.self, "read", lab.post)
        #expect(read.notes.contains { $0.id == typo && $0.rejected?.code == "unknown_group" })
        #expect(try carol.ok("read", lab.post).contains("REJECTED"))
        let hits = try carol.json([SearchOutput].self, "search", "smugglers")
        #expect(hits.contains { $0.id == typo && $0.rejected == true }, "\(hits)")

        // When she fixes the group with edit, it is pending again, and the next sync pushes it
        try carol.ok("edit", String(typo.prefix(8)), "--visibility", "group:south")
        let fixed = try carol.json(StatusOutput.self, "status")
        #expect(fixed.rejected == 1 && fixed.pending == 1)
        #expect(try carol.json(SyncOutput.self, "sync").pushed == 1)
        #expect(try lab.notes(carol)[typo]?.rejected == nil)
        #expect(try carol.json([RejectedOutput].self, "rejected").map(\.id) == [north])
        // and it reaches the other member of south, as carol wrote it
        try bob.ok("sync")
        let reached = try lab.notes(bob)[typo]
        #expect(reached?.note == "Dandong smugglers again" && reached?.visibility == "group:south")
        #expect(reached?.author == "carol" && reached?.editor == "carol")

        // When she discards the other, it goes, and discard says what it dropped
        let dropped = try carol.ok("discard", String(north.prefix(8)))
        #expect(dropped.contains("discarded") && dropped.contains(north) && dropped.contains("Not my group"))
        #expect(try lab.notes(carol)[north] == nil)
        #expect(try carol.json(StatusOutput.self, "status").rejected == 0)
        #expect(try carol.json([SearchOutput].self, "search", "group").isEmpty)
        let again = try carol.run(["discard", north])
        #expect(again.status != 0 && again.stderr.split(separator: "\n").count == 1, "\(again)")
        #expect(again.stderr.contains("no rejected change"), "\(again)")
        // and nothing of it ever reached the server
        try lab.alice.ok("sync")
        #expect(try lab.notes(lab.alice)[north] == nil)
        #expect(try carol.json(SyncOutput.self, "sync").pushed == 0)
    }

    @Test(arguments: LiveStore.available) func aRejectedEditOfASharedNoteKeepsTheServersVersionBeside(
        _ store: LiveStore
    ) throws {
        let lab = try SharingTests.Lab(store: store)
        let (alice, bob) = (lab.alice, lab.bob)
        let shared = try alice.ok("annotate", lab.post, "--quote", lab.quote, "--note", "For everyone")
        try lab.syncAll()

        // When alice moves her shared note to a group with a typo and adds words, the server refuses it
        try alice.ok("edit", shared, "--note", "For north, checked", "--visibility", "group:nrth")
        let sync = try alice.run(["sync"])
        #expect(sync.stdout.contains("rejected annotation \(shared)"), "\(sync)")

        // Then the server's version stays (bob still has it), and alice sees it with her rejected version
        let note = try #require(try lab.notes(alice)[shared])
        #expect(note.note == "For everyone" && note.visibility == "shared")
        #expect(note.rejected?.note == "For north, checked" && note.rejected?.serverHasRecord == true)
        #expect(try alice.ok("notes").contains("your rejected version: “For north, checked”"))
        #expect(try lab.notes(bob)[shared]?.note == "For everyone")

        // When she fixes the group, her words go with it, and the edit replaces the server's version
        try alice.ok("edit", shared, "--visibility", "group:north")
        #expect(try alice.json(SyncOutput.self, "sync").pushed == 1)
        try bob.ok("sync")
        let fixed = try #require(try lab.notes(bob)[shared])
        #expect(fixed.note == "For north, checked" && fixed.visibility == "group:north" && !fixed.conflict)
        #expect(try lab.notes(lab.carol)[shared] != nil)
        try lab.carol.ok("sync")
        #expect(try lab.notes(lab.carol)[shared] == nil)

        // A rejected edit discarded leaves the server's version as the only one
        try alice.ok("edit", shared, "--visibility", "group:nrth")
        try alice.ok("sync")
        #expect(try lab.notes(alice)[shared]?.rejected != nil)
        let dropped = try alice.ok("discard", shared)
        #expect(dropped.contains("the server's version stays"), "\(dropped)")
        let after = try #require(try lab.notes(alice)[shared])
        #expect(after.rejected == nil && after.visibility == "group:north" && after.note == "For north, checked")
        #expect(try alice.json(StatusOutput.self, "status").pending == 0)

        // A read-only account's push is no rejection of a change: its notes stay pending, and sync says why
        let token = try lab.server.admin(["user", "add", "guest", "--read-only"])
        let guest = try Researcher("guest")
        try guest.ok("init", "--server", lab.server.url, "--token", token.output)
        try guest.ok("sync")
        let own = try guest.ok("annotate", lab.post, "--quote", "hard currency", "--note", "Guest's reading")
        let refused = try guest.run(["sync"])
        #expect(refused.status == 77 && refused.stderr.contains("read_only"), "\(refused)")
        #expect(refused.stderr.contains("write access"), "\(refused)")
        #expect(try lab.notes(guest)[own]?.rejected == nil)
        #expect(try guest.json(StatusOutput.self, "status").pending == 1)
    }
}
