import Foundation
import NKTestSupport
import NKTestTraits
import Testing

/// Issue 15, scenario 2: `notes` and `read` say who last edited a note and when, with real
/// `nkserver` and `nkclient` processes on each store.
@Suite(.serialized, .processes, .tags(.live, .postgres)) struct WhoAndWhenTests {
    /// `nkclient read --json`.
    struct ReadOutput: Decodable {
        var notes: [NoteOutput]
    }

    @Test(arguments: LiveStore.available) func notesAndReadNameTheLastEditorAndTheTimes(_ store: LiveStore) throws {
        let lab = try SharingTests.Lab(store: store)
        let (alice, carol) = (lab.alice, lab.carol)

        // Given alice's shared note, synced to carol
        let shared = try alice.ok(
            "annotate", lab.post, "--quote", lab.quote, "--note", "Alice's reading", "--tag", "sanctions")
        try alice.ok("sync")
        try carol.ok("sync")
        let before = try #require(try lab.notes(alice)[shared])
        #expect(before.editor == "alice")
        #expect(try !alice.ok("notes").contains("edited by"))

        // When carol empties its text and tags, and alice syncs
        try carol.ok("edit", shared, "--note", "", "--tag", "")
        try carol.ok("sync")
        try alice.ok("sync")

        // Then notes --json names alice as author and carol as editor, with ISO 8601 times
        let after = try #require(try lab.notes(alice)[shared])
        #expect(after.author == "alice" && after.editor == "carol" && after.note.isEmpty)
        let parse = ISO8601DateFormatter()
        let created = try #require(after.created.flatMap { parse.date(from: $0) }, "\(after)")
        let modified = try #require(after.modified.flatMap { parse.date(from: $0) }, "\(after)")
        let firstCreated = try #require(before.created.flatMap { parse.date(from: $0) })
        let firstModified = try #require(before.modified.flatMap { parse.date(from: $0) })
        // Alice's replica keeps her own version as she wrote it (her clock); the server stamps its own
        // on the copy others pull: the same moment, to the clocks' difference on one machine.
        #expect(abs(created.timeIntervalSince(firstCreated)) < 5, "\(before) \(after)")
        #expect(created <= modified && firstModified <= modified, "\(before) \(after)")
        // and the human outputs of notes and read name carol beside alice
        let notes = try alice.ok("notes")
        #expect(notes.contains("alice") && notes.contains("edited by carol"), "\(notes)")
        let read = try alice.ok("read", lab.post)
        #expect(read.contains("alice · shared · edited by carol"), "\(read)")
        let readJSON = try alice.json(ReadOutput.self, "read", lab.post)
        #expect(readJSON.notes.first { $0.id == shared }?.editor == "carol")
        // and carol's own replica says the same of her version once the server stamped it
        #expect(try lab.notes(carol)[shared]?.editor == "carol")
    }
}
