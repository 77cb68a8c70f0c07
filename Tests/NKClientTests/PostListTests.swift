import Foundation
import NKProtocol
import NKTestSupport
import NKTestTraits
import Testing

@testable import NKClient

@Suite(.tags(.unit)) struct PostListTests {
    static func corpus(_ name: String) -> [Post] {
        let url = TestPaths.repositoryRoot.appendingPathComponent("samples/corpus/\(name).txt")
        return try! CorpusParser.parse(String(contentsOf: url, encoding: .utf8)).posts
    }

    @Test func postsAreInCorpusOrderByDateWhereKnown() throws {
        let folder = try ScratchFolder()
        let names = Self.corpus("names")
        let diplomacy = Self.corpus("diplomacy")
        let border = Self.corpus("border-trade")
        // Imported newest file first: dated posts sort by day; undated ones keep their place in their file.
        let replica = try Fixtures.replica(in: folder, posts: names + diplomacy + border)
        let expected = [border[0], border[1], border[2], border[3], border[4]] + diplomacy + names
        #expect(
            border[1].day != nil && border[0].day == nil && diplomacy[0].day != nil && names[0].day != nil
        )
        #expect(try replica.posts().map(\.id) == expected.map(\.id))

        // A corrected post keeps its place.
        var corrected = border[0]
        corrected.body[0] += " Corrected."
        try replica.applyRemote(Fixtures.postVersion(corrected, counter: 2))
        #expect(try replica.posts().map(\.id) == expected.map(\.id))

        // Filters, in any case.
        #expect(try replica.posts(PostFilter(category: "names")).map(\.id) == names.map(\.id))
        #expect(
            try replica.posts(PostFilter(source: "SAMPLE WIRE")).allSatisfy { $0.source == "Sample Wire" }
        )
        #expect(try replica.posts(PostFilter(source: "Full story")).isEmpty)
        #expect(try replica.posts(PostFilter(annotated: true)).isEmpty)
        try replica.annotate(post: names[1].id.rawValue, quote: "Kim Jongun", occurrence: 1)
        #expect(try replica.posts(PostFilter(annotated: true)).map(\.id) == [names[1].id])
        #expect(try replica.posts(PostFilter(category: "names"))[0].date == "3 June 2024")
    }
}
