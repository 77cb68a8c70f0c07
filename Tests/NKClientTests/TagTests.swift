import Foundation
import NKProtocol
import NKTestSupport
import NKTestTraits
import Testing

@testable import NKClient

@Suite(.tags(.unit)) struct TagTests {
    @Test func tagsMergeCaseInsensitivelyKeepingTheFirstSpelling() throws {
        let folder = try ScratchFolder()
        let replica = try Fixtures.replica(in: folder)
        let post = Fixtures.post.id.rawValue
        let first = try replica.annotate(post: post, quote: "hard currency", tags: ["Sanctions", "sanctions", "trade"])
        let second = try replica.annotate(post: post, quote: "exports", tags: ["SANCTIONS", "Trade"])
        #expect(try replica.held(first.rawValue)[0].annotation?.tags == ["Sanctions", "trade"])
        #expect(try replica.held(second.rawValue)[0].annotation?.tags == ["Sanctions", "trade"])
        try replica.edit(second.rawValue, tags: ["TRADE", "Money"])
        #expect(try replica.held(second.rawValue)[0].annotation?.tags == ["Money", "trade"])
        #expect(
            try replica.tags() == [
                TagCount(tag: "trade", count: 2), TagCount(tag: "Money", count: 1),
                TagCount(tag: "Sanctions", count: 1),
            ])
    }

    @Test func renamingATagEditsEveryNoteThatCarriesItAndSkipsConflicts() throws {
        let folder = try ScratchFolder()
        let replica = try Fixtures.replica(in: folder)
        let post = Fixtures.post.id.rawValue
        let mine = try replica.annotate(post: post, quote: "hard currency", tags: ["sanctions", "money"])
        // Bob's shared note, as pulled, carries another spelling and the new tag already.
        let bobs = Fixtures.annotation(
            id: AnnotationID("6f1c2a3b-0000-4000-8000-00000000000b"), tags: ["Sanctions", "Embargo"], author: "bob")
        try replica.applyRemote(
            RecordVersion(version: Fixtures.vector(["b": 1]), editor: "bob", body: .annotation(bobs)))
        // A conflicted note is left alone.
        let conflicted = Fixtures.annotation(
            id: AnnotationID("6f1c2a3b-0000-4000-8000-00000000000c"), tags: ["sanctions"])
        try replica.applyRemote(
            RecordVersion(version: Fixtures.vector(["x": 1]), editor: "bob", body: .annotation(conflicted)),
            RecordVersion(version: Fixtures.vector(["y": 1]), editor: "carol", body: .annotation(conflicted)))

        let result = try replica.renameTag("SANCTIONS", to: "embargo")

        #expect(Set(result.renamed) == [mine, bobs.id])
        #expect(result.conflicted == [conflicted.id])
        #expect(try replica.held(mine.rawValue)[0].annotation?.tags == ["embargo", "money"])
        let bobsNow = try replica.held(bobs.id.rawValue)
        #expect(bobsNow.count == 1 && bobsNow[0].pending && bobsNow[0].annotation?.tags == ["embargo"])
        #expect(try replica.held(conflicted.id.rawValue).count == 2)
        #expect(throws: ClientError.self) { try replica.renameTag(" ", to: "x") }
    }
}

extension StoredVersion {
    var annotation: Annotation? {
        if case .annotation(let annotation) = version.body { return annotation }
        return nil
    }
}
