import Foundation
import NKProtocol
import NKTestTraits
import Testing

@testable import NKClient

@Suite(.tags(.unit)) struct PostEditTests {
    let me = ReplicaID("rep-alice")

    static let quirky = Post(
        title: "A title with “curly quotes” — and a dash", body: ["First paragraph…", "Second paragraph."],
        category: "Tests", editorNote: "Editor’s note: shortened.", continued: true, author: "Kim", date: "1 May 2024",
        url: "https://example.org/a")

    static let linked = Post(
        title: "A story told elsewhere", body: ["Only the start."], category: "Tests", continued: true,
        linkText: "Full story")

    @Test(arguments: [Fixtures.post, quirky, linked])
    func theDumpOfAPostParsesBackToThePost(_ post: Post) throws {
        let parsed = try CorpusParser.parse(PostDump.text(of: post))
        var expected = post
        expected.url = nil
        #expect(parsed.posts == [expected])
    }

    @Test func anUnchangedTextWritesNothing() throws {
        let folder = try ScratchFolder()
        let replica = try Fixtures.replica(in: folder)
        let dump = try replica.postDump(String(Fixtures.post.id.rawValue.prefix(5)))
        #expect(dump.id == Fixtures.post.id)
        #expect(try replica.editPost(dump.id.rawValue, text: dump.text) == .unchanged)
        #expect(try replica.status().pending == 0)
    }

    @Test func aCorrectionIsAPendingVersionThatKeepsTheId() throws {
        let folder = try ScratchFolder()
        let replica = try Fixtures.replica(in: folder)
        let id = Fixtures.post.id.rawValue
        let text = try replica.postDump(id).text
            .replacingOccurrences(of: "processing plants idle", with: "plants closed")
            .replacingOccurrences(of: "hard currency is short", with: "hard currency is scarce")
        let result = try replica.editPost(id, text: text)
        #expect(result == .updated(VersionVector([me: 1, Fixtures.serverReplica: 1])))
        let held = try replica.held(id, type: .post)
        #expect(held.count == 1 && held[0].pending)
        let post = try replica.post(id).post
        #expect(post.id == Fixtures.post.id && post.title == "Seafood ban leaves plants closed")
        #expect(post.body[1].contains("scarce") && post.source == "Reuters")
        #expect(try replica.posts().count == 1)
    }

    @Test func aTextThatDoesNotParseNamesTheLineAndWritesNothing() throws {
        let folder = try ScratchFolder()
        let replica = try Fixtures.replica(in: folder)
        let id = Fixtures.post.id.rawValue
        let broken = try replica.postDump(id).text.replacingOccurrences(of: "Posted on", with: "Written on")
        #expect {
            try replica.editPost(id, text: broken)
        } throws: { error in
            guard let error = error as? ClientError else { return false }
            return error.code == .invalidInput && error.message.hasPrefix("line ")
        }
        let second = PostDump.text(of: Self.quirky).split(separator: "\n", maxSplits: 1)[1]
        let two = try replica.postDump(id).text + "\n" + second
        #expect {
            try replica.editPost(id, text: two)
        } throws: { ($0 as? ClientError)?.message.contains("exactly one") == true }
        #expect(try replica.status().pending == 0)
    }
}
