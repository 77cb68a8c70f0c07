import Foundation
import NKTestTraits
import Testing

@testable import NKProtocol

/// Notes on whole posts and replies in the shared model: the wire, validation, thread order, exports.
@Suite(.tags(.unit)) struct AnnotationThreadTests {
    static let post = MarkdownExportTests.post

    static func note(
        _ number: Int, anchor: Anchor? = nil, replyTo: Int? = nil, created: TimeInterval = 0, text: String = "n"
    ) -> Annotation {
        Annotation(
            id: id(number), postId: post.id, anchor: anchor, replyTo: replyTo.map(id), note: text, tags: [],
            visibility: .shared, author: "alice", createdAt: Date(timeIntervalSince1970: created),
            updatedAt: Date(timeIntervalSince1970: created))
    }

    static func id(_ number: Int) -> AnnotationID { AnnotationID("00000000-0000-4000-8000-00000000000\(number)") }

    @Test func aNoteWithoutAPassageHasNoAnchorOnTheWireAndAReplyNamesItsNote() throws {
        let encoder = Wire.makeEncoder()
        let page = String(decoding: try encoder.encode(Self.note(1)), as: UTF8.self)
        #expect(!page.contains("anchor") && !page.contains("replyTo"))
        let reply = Self.note(2, replyTo: 1)
        let text = String(decoding: try encoder.encode(reply), as: UTF8.self)
        #expect(text.contains(#""replyTo":"00000000-0000-4000-8000-000000000001""#))
        #expect(try Wire.makeDecoder().decode(Annotation.self, from: Data(text.utf8)) == reply)
        #expect(reply.target == .reply(Self.id(1)) && Self.note(1).target == .post)
    }

    @Test func validationKeepsRepliesWithoutPassagesAndNeverOnThemselves() throws {
        try Self.note(1).validate()
        try Self.note(2, replyTo: 1).validate()
        var own = Self.note(3, replyTo: 3)
        #expect(throws: ValidationFailure.self) { try own.validate() }
        own = Self.note(3, anchor: try Anchor.locate("Rice prices", in: Self.post.text), replyTo: 1)
        #expect(throws: ValidationFailure.self) { try own.validate() }
        var bad = Self.note(4, replyTo: 1)
        bad.replyTo = AnnotationID("NOT-A-UUID")
        #expect(throws: ValidationFailure.self) { try bad.validate() }
    }

    /// Notes keep their order; replies follow their note oldest first, at their depth; a reply whose
    /// note is missing, and a cycle, stand as notes; versions of one annotation stay together.
    @Test func threadsOrderRepliesUnderTheirNotes() {
        let items = [
            Self.note(1), Self.note(5, replyTo: 1, created: 20), Self.note(2), Self.note(4, replyTo: 1, created: 10),
            Self.note(6, replyTo: 4, created: 30), Self.note(7, replyTo: 9), Self.note(3, replyTo: 8),
            Self.note(8, replyTo: 3), Self.note(2, text: "other version"),
        ]
        let threaded = AnnotationThreads.ordered(items) { $0 }
        #expect(threaded.map { Int(String($0.item.id.rawValue.last!))! } == [1, 4, 6, 5, 2, 2, 7, 3, 8])
        #expect(threaded.map(\.depth) == [0, 1, 2, 1, 0, 0, 0, 0, 1])
        #expect(threaded.map(\.parentMissing) == [false, false, false, false, false, false, true, true, false])
        #expect(threaded.count == items.count)
    }

    @Test func exportsTargetThePostAndTheNoteAnswered() throws {
        let passage = Self.note(1, anchor: try Anchor.locate("Rice prices rose", in: Self.post.text), text: "Why?")
        let page = Self.note(2, text: "On all of it")
        let reply = Self.note(3, replyTo: 1, created: 5, text: "Because")
        let data = try W3CExport.collection(
            annotations: [reply, passage, page], posts: [Self.post.id: Self.post], baseURL: nil,
            generated: Date(timeIntervalSince1970: 0))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        // The model's MUSTs hold for a note on the whole post and a reply as for a passage's note.
        let texts = ["urn:nksync:post:\(Self.post.id.rawValue)": Self.post.text]
        #expect(w3cViolations(object, texts: texts) == [])
        let items = try #require((object["first"] as? [String: Any])?["items"] as? [[String: Any]])
        let byID = Dictionary(uniqueKeysWithValues: items.map { ($0["id"] as? String ?? "", $0) })
        #expect(
            byID["urn:uuid:\(page.id.rawValue)"]?["target"] as? String == "urn:nksync:post:\(Self.post.id.rawValue)")
        #expect(byID["urn:uuid:\(reply.id.rawValue)"]?["target"] as? String == "urn:uuid:\(passage.id.rawValue)")
        #expect(byID["urn:uuid:\(reply.id.rawValue)"]?["motivation"] as? String == "replying")
        #expect(
            (byID["urn:uuid:\(passage.id.rawValue)"]?["target"] as? [String: Any])?["type"] as? String
                == "SpecificResource")

        let markdown = MarkdownExport.document(posts: [Self.post], annotations: [reply, passage, page], statuses: [:])
        let blocks = markdown.components(separatedBy: "\n\n")
        let onPost = try #require(blocks.firstIndex(of: "On all of it"))
        let quoted = try #require(blocks.firstIndex(of: "> Rice prices rose"))
        let replied = try #require(blocks.firstIndex(of: "↳ Reply:"))
        #expect(blocks[onPost - 1] == "On the whole post:")
        #expect(onPost < quoted && quoted < replied && blocks[replied + 1] == "Because")
    }
}
