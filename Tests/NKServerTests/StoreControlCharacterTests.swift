import Foundation
import NKProtocol
import NKTestSupport
import NKTestTraits
import Testing

@testable import NKServer

/// The server refuses control characters (other than tab and newline) in every text field it is
/// sent, on both stores, and in the corpus files it imports.
@Suite("Store: control characters", .tags(.unit, .postgres))
struct StoreControlCharacterTests {
    @Test(arguments: StoreKind.available)
    func aPushedNoteTagOrQuoteWithAControlCharacterIsRejectedNamingTheField(_ kind: StoreKind) async throws {
        let fixture = try await StoreFixture(kind)
        _ = try await fixture.store.importPosts([Sample.post])
        let (alice, _) = try await fixture.user("alice")
        var withNote = try Sample.annotation(note: "fine\u{1B}]0;owned\u{7}", author: "alice")
        withNote.tags = ["trade"]
        var withTag = try Sample.annotation(author: "alice")
        withTag.tags = ["a\u{9B}b"]
        var withCR = try Sample.annotation(note: "pushed 2\rpulled 0", author: "alice")
        withCR.tags = ["trade"]
        var post = Sample.post
        post.source = "Wire\u{7F}"
        let clean = try Sample.annotation(note: "tab\tand\nnewline are fine", author: "alice")

        let results = try await fixture.store.push(
            user: alice, replica: ReplicaID("ra"),
            versions: [
                Sample.annotationVersion(withNote, ["ra": 1]), Sample.annotationVersion(withTag, ["ra": 2]),
                Sample.annotationVersion(withCR, ["ra": 3]), Sample.postVersion(["ra": 4], post: post),
                Sample.annotationVersion(clean, ["ra": 5]),
            ])

        #expect(results.map(\.status) == [.rejected, .rejected, .rejected, .rejected, .applied])
        #expect(results.prefix(4).allSatisfy { $0.code == .invalidRecord })
        let messages = results.prefix(4).map { $0.message ?? "" }
        #expect(messages[0].hasPrefix("the note contains a control character (U+001B)"))
        #expect(messages[1].hasPrefix("the tag contains a control character (U+009B)"))
        #expect(messages[2].hasPrefix("the note contains a control character (U+000D)"))
        #expect(messages[3].hasPrefix("the source contains a control character (U+007F)"))
        // Nothing of the refused versions was stored.
        await #expect(throws: ServerError.self) {
            _ = try await fixture.store.record(user: alice, type: .annotation, id: withNote.id.rawValue)
        }
    }

    @Test func anImportedPostWithAControlCharacterNamesTheFileThePostAndTheField() throws {
        let folder = try TemporaryFolder("nk-control")
        defer { folder.remove() }
        let path = folder.path("dump.txt")
        let text = Sample.corpus(posts: [
            (title: "A clean title", paragraph: "Fine."), (title: "Bell\u{7} title", paragraph: "Fine too."),
        ])
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        #expect {
            try CorpusLoader.load(paths: [path])
        } throws: { error in
            guard let error = error as? ServerError else { return false }
            return error.code == .invalidPost
                && error.message.hasPrefix("\(path): post 'Bell\u{7} title': the title contains a control character")
        }
    }

    @Test func aWindowsCorpusStillImports() throws {
        let folder = try TemporaryFolder("nk-crlf")
        defer { folder.remove() }
        let path = folder.path("dump.txt")
        let text = Sample.corpus(posts: [(title: "A title", paragraph: "One line\nwrapped.")])
        try Data(text.replacingOccurrences(of: "\n", with: "\r\n").utf8).write(to: URL(fileURLWithPath: path))
        let posts = try CorpusLoader.load(paths: [path])
        #expect(posts.map(\.title) == ["A title"])
        #expect(posts[0].body == ["One line wrapped."])
    }
}
