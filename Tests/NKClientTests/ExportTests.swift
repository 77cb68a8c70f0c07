import Foundation
import NKTestTraits
import Testing

@testable import NKClient
@testable import NKProtocol

@Suite(.tags(.unit)) struct ExportTests {
    let post = Fixtures.post.id.rawValue

    @Test func markdownQuotesPassagesAsTheyNowReadWithTheirStatus() throws {
        let folder = try ScratchFolder()
        let replica = try Fixtures.replica(in: folder, posts: [Fixtures.post, Fixtures.otherPost])
        try replica.annotate(post: post, quote: "hit exports", note: "Which exports?", tags: ["trade"])
        try replica.annotate(post: post, quote: "The latest round was the third", note: "Count them.")
        try replica.annotate(post: Fixtures.otherPost.id.rawValue, quote: "rail link", note: "Other post.")
        let deleted = try replica.annotate(post: post, quote: "hard currency", note: "Gone.")
        try replica.delete(deleted.rawValue)
        var corrected = Fixtures.post
        corrected.body = ["Plants stood idle after the latest round of sanctions hit exports."]
        try replica.applyRemote(Fixtures.postVersion(corrected, counter: 2))

        let markdown = String(decoding: try replica.export(.markdown, post: String(post.prefix(6))), as: UTF8.self)
        #expect(markdown.hasPrefix("# Seafood ban leaves processing plants idle\n"))
        #expect(markdown.contains("> hit exports\n\nWhich exports?"))
        #expect(markdown.contains("> The latest round was the third\n\nCount them."))
        #expect(markdown.contains(MarkdownExport.statusNote(.orphaned)!))
        #expect(!markdown.contains("Gone.") && !markdown.contains("Other post."))

        let tagged = String(decoding: try replica.export(.markdown, tag: "TRADE"), as: UTF8.self)
        #expect(tagged.contains("Which exports?") && !tagged.contains("Count them.") && !tagged.contains("Other post."))
    }

    @Test func w3cSelectorsMatchTheCurrentText() throws {
        let folder = try ScratchFolder()
        let replica = try Fixtures.replica(in: folder)
        let moved = try replica.annotate(post: post, quote: "hard currency", note: "moved")
        let orphaned = try replica.annotate(post: post, quote: "The latest round was the third", note: "orphaned")
        var corrected = Fixtures.post
        corrected.body = ["New first paragraph.", "Analysts note that hard currency is short."]
        try replica.applyRemote(Fixtures.postVersion(corrected, counter: 2))

        let data = try replica.export(.w3c, generated: Date(timeIntervalSince1970: 1_700_000_000))
        let document = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(document["type"] as? String == "AnnotationCollection")
        let page = try #require(document["first"] as? [String: Any])
        let items = try #require(page["items"] as? [[String: Any]])
        #expect(items.count == 2)
        func selectors(_ id: AnnotationID) throws -> [[String: Any]] {
            let item = try #require(items.first { $0["id"] as? String == "urn:uuid:\(id.rawValue)" })
            let target = try #require(item["target"] as? [String: Any])
            return try #require(target["selector"] as? [[String: Any]])
        }
        let text = Array(corrected.text.unicodeScalars)
        let movedSelectors = try selectors(moved)
        let position = try #require(movedSelectors.first { $0["type"] as? String == "TextPositionSelector" })
        let start = try #require(position["start"] as? Int)
        let end = try #require(position["end"] as? Int)
        #expect(String(String.UnicodeScalarView(text[start..<end])) == "hard currency")
        let orphanedSelectors = try selectors(orphaned)
        #expect(orphanedSelectors.map { $0["type"] as? String } == ["TextQuoteSelector"])
        #expect(orphanedSelectors[0]["exact"] as? String == "The latest round was the third")
    }

    @Test func filtersKeepWhatTheyNameAndANoteInConflictGoesWithAllItsVersions() throws {
        let folder = try ScratchFolder()
        let replica = try Fixtures.replica(in: folder)
        let shared = try replica.annotate(post: post, quote: "hard currency", note: "Shared one")
        try replica.annotate(post: post, quote: "hit exports", note: "Private one", visibility: .private)
        try replica.annotate(
            post: post, quote: "The latest round was the third", note: "North one", visibility: .group("north"))
        // Bob's note from long ago, and a version of the shared note Bob wrote concurrently
        try replica.applyRemote(
            RecordVersion(
                version: Fixtures.vector(["rep-bob": 1]), editor: "bob",
                body: .annotation(
                    Fixtures.annotation(
                        id: AnnotationID("6f1c2a3b-0000-4000-8000-000000000009"), note: "Bob's old", author: "bob"))))
        let held = try replica.read { db in try StoredVersion.fetchFrontier(db, type: .annotation, id: shared.rawValue)
        }
        guard case .annotation(var theirs) = try #require(held.first).version.body else {
            Issue.record("not an annotation")
            return
        }
        theirs.note = "Bob's reading"
        try replica.applyRemote(
            RecordVersion(version: Fixtures.vector(["rep-bob": 2]), editor: "bob", body: .annotation(theirs)))

        func markdown(_ filter: ExportFilter) throws -> String {
            String(decoding: try replica.export(.markdown, filter: filter), as: UTF8.self)
        }
        let notes = ["Shared one", "Bob's reading", "Private one", "North one", "Bob's old"]
        func kept(_ filter: ExportFilter) throws -> [String] {
            let document = try markdown(filter)
            return notes.filter { document.contains($0) }
        }
        #expect(try kept(ExportFilter()) == notes)
        #expect(try kept(ExportFilter(visibility: .private)) == ["Private one"])
        #expect(try kept(ExportFilter(visibility: .group("north"))) == ["North one"])
        #expect(try kept(ExportFilter(visibility: .group("south"))).isEmpty)
        #expect(try kept(ExportFilter(visibility: .shared)) == ["Shared one", "Bob's reading", "Bob's old"])
        #expect(try kept(ExportFilter(author: "BOB")) == ["Bob's old"])
        #expect(try kept(ExportFilter(since: Date(timeIntervalSince1970: 1_000))) == Array(notes.prefix(4)))
        #expect(try markdown(ExportFilter(visibility: .private)).contains("— alice · private"))
        #expect(try markdown(ExportFilter(visibility: .group("north"))).contains("— alice · group north"))

        // The note in conflict: both versions, each marked, in the order conflicts numbers them
        let conflicted = try markdown(ExportFilter(visibility: .shared, author: "alice"))
        let first = try #require(conflicted.range(of: "Shared one"))
        let second = try #require(conflicted.range(of: "Bob's reading"))
        #expect(first.upperBound < second.lowerBound)
        #expect(conflicted.contains("(in conflict: version 1 of 2 (rep-alice:1)"))
        #expect(conflicted.contains("(in conflict: version 2 of 2 (rep-bob:2)"))
        let data = try replica.export(.w3c, filter: ExportFilter(post: post), generated: Date(timeIntervalSince1970: 0))
        let document = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let page = try #require(document["first"] as? [String: Any])
        let items = try #require(page["items"] as? [[String: Any]])
        #expect(items.count == 5)
        let versions = items.filter { $0["canonical"] as? String == "urn:uuid:\(shared.rawValue)" }
        #expect(versions.compactMap { $0["schema:version"] as? String } == ["rep-alice:1", "rep-bob:2"])
        let audiences = items.compactMap { ($0["audience"] as? [String: Any])?["schema:audienceType"] as? String }
        #expect(audiences.sorted() == ["group", "private", "shared", "shared", "shared"])
    }

    @Test func atomicWriteReplacesTheFileAndLeavesNoTemporaryFile() throws {
        let folder = try ScratchFolder()
        let path = folder.url.appendingPathComponent("notes.md").path
        try AtomicFile.write(Data("first\n".utf8), to: path)
        try AtomicFile.write(Data("second\n".utf8), to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "second\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path) == ["notes.md"])
    }

    @Test func aFailedAtomicWriteLeavesTheOldFile() throws {
        let folder = try ScratchFolder()
        let path = folder.url.appendingPathComponent("notes.md").path
        try AtomicFile.write(Data("kept\n".utf8), to: path)
        // The target is a folder: the rename fails after the temporary file was written.
        let blocked = folder.url.appendingPathComponent("blocked").path
        try FileManager.default.createDirectory(atPath: blocked + "/inside", withIntermediateDirectories: true)
        #expect(throws: ClientError.self) { try AtomicFile.write(Data("new".utf8), to: blocked) }
        #expect {
            try AtomicFile.write(Data("new".utf8), to: folder.url.appendingPathComponent("missing/x.md").path)
        } throws: { ($0 as? ClientError)?.code == .storage }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "kept\n")
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: folder.url.path).sorted() == ["blocked", "notes.md"])
    }
}
