import Foundation
import NKTestSupport
import NKTestTraits
import Testing

/// Issue 15, scenario 5: `nkclient export` says who may see each note, filters by visibility, author
/// and time, and exports a note in conflict with all its versions; real processes on each store.
@Suite(.serialized, .processes, .tags(.live, .postgres)) struct ExportLiveTests {
    @Test(arguments: LiveStore.available) func exportsAreLabelledFilteredAndKeepEveryVersionOfAConflict(
        _ store: LiveStore
    ) throws {
        let lab = try SharingTests.Lab(store: store)
        let (alice, bob) = (lab.alice, lab.bob)

        // Given alice's shared, private and north notes, and a shared note alice and bob edit at once
        let shared = try alice.ok("annotate", lab.post, "--quote", lab.quote, "--note", "Draft")
        try alice.ok("annotate", lab.post, "--quote", "hard currency", "--note", "Only mine", "--private")
        try alice.ok(
            "annotate", lab.post, "--quote", "processing plants", "--occurrence", "1", "--note", "North view",
            "--group", "north")
        try alice.ok("sync")
        try bob.ok("sync")
        try alice.ok("edit", shared, "--note", "Alice's reading")
        try bob.ok("edit", shared, "--note", "Bob's reading")
        try alice.ok("sync")
        #expect(try bob.json(SyncOutput.self, "sync").conflicts == 1)

        // When bob exports everything: each note says who wrote it and who may see it, and the note in
        // conflict comes with both versions, each marked
        let all = try bob.ok("export", "--format", "markdown")
        #expect(all.contains("— alice · group north") && all.contains("— alice · shared"), "\(all)")
        #expect(!all.contains("Only mine"))
        #expect(all.contains("Alice's reading") && all.contains("Bob's reading"), "\(all)")
        #expect(all.contains("(in conflict: version 1 of 2") && all.contains("(in conflict: version 2 of 2"))

        // Then the filters keep what they name
        let north = try bob.ok("export", "--format", "markdown", "--visibility", "group:north")
        #expect(north.contains("North view") && !north.contains("reading"), "\(north)")
        let mine = try alice.ok("export", "--format", "markdown", "--visibility", "private")
        #expect(mine.contains("Only mine") && mine.contains("— alice · private") && !mine.contains("North view"))
        #expect(try bob.ok("export", "--format", "markdown", "--author", "carol").isEmpty)
        let future = try bob.ok("export", "--format", "markdown", "--since", "2999-01-01")
        #expect(future.isEmpty, "\(future)")
        let recent = try bob.ok("export", "--format", "markdown", "--since", "2000-01-01T00:00:00Z")
        #expect(recent.contains("North view") && recent.contains("Bob's reading"))
        let w3c = try bob.run(["export", "--format", "w3c", "--visibility", "shared"])
        let root = try #require(try JSONSerialization.jsonObject(with: Data(w3c.stdout.utf8)) as? [String: Any])
        let items = try #require((root["first"] as? [String: Any])?["items"] as? [[String: Any]])
        #expect(items.count == 2 && items.allSatisfy { $0["canonical"] as? String == "urn:uuid:\(shared)" })
        #expect(
            items.allSatisfy { ($0["audience"] as? [String: Any])?["schema:audienceType"] as? String == "shared" })

        // and a filter that cannot be read is one line and a non-zero exit
        for bad in [["--since", "yesterday"], ["--visibility", "everyone"]] {
            let result = try bob.run(["export", "--format", "markdown"] + bad)
            #expect(result.status != 0 && result.stderr.split(separator: "\n").count == 1, "\(result)")
            #expect(result.stderr.hasPrefix("error: "), "\(result)")
        }
    }
}
