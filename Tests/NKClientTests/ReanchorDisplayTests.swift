import Foundation
import NKProtocol
import NKTestTraits
import Testing

@testable import NKClient

@Suite(.tags(.unit)) struct ReanchorDisplayTests {
    let post = Fixtures.post.id.rawValue

    /// A replica with three notes on the sample post, then a correction of the post from the server.
    func correctedReplica(_ folder: ScratchFolder) throws -> (Replica, moved: String, fuzzy: String, orphaned: String) {
        let replica = try Fixtures.replica(in: folder)
        let moved = try replica.annotate(post: post, quote: "the latest round of sanctions", note: "m").rawValue
        let fuzzy = try replica.annotate(post: post, quote: "Analysts note that hard currency is short", note: "f")
        let orphaned = try replica.annotate(post: post, quote: "The latest round was the third", note: "o").rawValue
        var corrected = Fixtures.post
        corrected.body = [
            "A new opening sentence. Plants stood idle after the latest round of sanctions hit exports.",
            "Analysts note that foreign currency is short.",
        ]
        try replica.applyRemote(Fixtures.postVersion(corrected, counter: 2))
        return (replica, moved, fuzzy.rawValue, orphaned)
    }

    @Test func annotateRecordsThePostVersion() throws {
        let folder = try ScratchFolder()
        let replica = try Fixtures.replica(in: folder)
        let id = try replica.annotate(post: post, quote: "hard currency")
        guard case .annotation(let annotation) = try #require(replica.held(id.rawValue).first).version.body else {
            Issue.record("not an annotation")
            return
        }
        #expect(annotation.anchor!.postVersion == VersionVector([Fixtures.serverReplica: 1]))
        #expect(try replica.notes().map(\.anchorStatus) == [.exact])
    }

    @Test func notesShowHowEachAnchorWasFoundAfterACorrection() throws {
        let folder = try ScratchFolder()
        let (replica, moved, fuzzy, orphaned) = try correctedReplica(folder)
        let notes = try replica.notes()
        let status = Dictionary(uniqueKeysWithValues: notes.map { ($0.id.rawValue, $0.anchorStatus) })
        #expect(status == [moved: .moved, fuzzy: .fuzzy, orphaned: .orphaned])
        // Orphaned last; the others in the order of their new positions.
        #expect(notes.map(\.id.rawValue) == [moved, fuzzy, orphaned])
        let text = Array(try replica.post(post).post.text.unicodeScalars)
        let placedMoved = try #require(notes.first { $0.id.rawValue == moved }?.range)
        #expect(String(String.UnicodeScalarView(text[placedMoved])) == "the latest round of sanctions")
        let fuzzyNote = try #require(notes.first { $0.id.rawValue == fuzzy })
        #expect(fuzzyNote.placement?.exact == "Analysts note that foreign currency is short")
        #expect(fuzzyNote.quote == "Analysts note that hard currency is short")
        #expect(notes.first { $0.id.rawValue == orphaned }?.range == nil)

        // JSON keeps its keys and adds the status, who and when, and the rejection (none here).
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let json = try #require(
            try JSONSerialization.jsonObject(with: encoder.encode(notes[2])) as? [String: Any])
        #expect(
            Set(json.keys)
                == [
                    "id", "postId", "author", "visibility", "quote", "note", "tags", "version", "conflict", "anchor",
                    "editor", "created", "modified", "rejected", "target", "replyTo", "depth", "parentDeleted",
                ])
        #expect(json["rejected"] is NSNull && json["editor"] as? String == "alice")
        #expect(json["target"] as? String == "passage" && json["replyTo"] is NSNull && json["depth"] as? Int == 0)
        #expect(json["anchor"] as? String == "orphaned")
        #expect(json["quote"] as? String == "The latest round was the third")
    }

    @Test func readMarksPassagesWhereTheyStandAndListsTheOrphanedOne() throws {
        let folder = try ScratchFolder()
        let (replica, _, _, _) = try correctedReplica(folder)
        let page = PostRenderer(width: 200, colour: false).render(try replica.post(post))
        #expect(page.contains("[1>the latest round of sanctions<1]"))
        #expect(page.contains("[2>Analysts note that foreign currency is short<2]"))
        #expect(!page.contains("[3>"))
        #expect(page.contains("“The latest round was the third”\n    (orphaned: passage no longer in the post)"))
        #expect(page.contains("(fuzzy: the post was corrected; the passage now reads"))
    }

    @Test func notesFiltersCombineWithPost() throws {
        let folder = try ScratchFolder()
        let replica = try Fixtures.replica(in: folder, posts: [Fixtures.post, Fixtures.otherPost])
        let other = Fixtures.otherPost.id.rawValue
        let a = try replica.annotate(post: post, quote: "hard currency", tags: ["Money"])
        try replica.annotate(post: other, quote: "rail link", tags: ["money"])
        try replica.annotate(post: post, quote: "hit exports", tags: ["trade"])

        #expect(try replica.notes(filter: NoteFilter(tag: "money")).count == 2)
        #expect(try replica.notes(post: post, filter: NoteFilter(tag: "money")).map(\.id) == [a])
        #expect(try replica.notes(filter: NoteFilter(source: "Reuters")).count == 2)
        #expect(try replica.notes(filter: NoteFilter(tag: "money", source: "reuters")).map(\.id) == [a])
        #expect(try replica.notes(filter: NoteFilter(author: "ALICE")).count == 3)
        #expect(try replica.notes(filter: NoteFilter(author: "bob")).isEmpty)
    }
}
