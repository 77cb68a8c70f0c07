import Foundation
import NKProtocol
import NKTestSupport
import NKTestTraits
import Testing

@Suite(.tags(.unit)) struct CorpusParserTests {
    /// The real dump shared with the project. It belongs to its publishers: it is read here, never copied.
    static let sharedDump = TestPaths.repositoryRoot
        .appendingPathComponent("../shared/corpus/000_d9f8f614433d46c3.txt").standardizedFileURL

    @Test(
        .enabled(
            if: FileManager.default.fileExists(atPath: sharedDump.path), "../shared/corpus is not beside the checkout"))
    func theRealDumpParsesToTenPosts() throws {
        let text = try String(contentsOf: Self.sharedDump, encoding: .utf8)
        let file = try CorpusParser.parse(text)
        #expect(file.category == "China")
        #expect(file.posts.count == 10)
        #expect(file.posts.first?.title == "US aims at remaining North Korean financial links")
        #expect(
            file.posts[7].title == "China-North Korea relations still strained a year after Jang Song-thaek’s death")
        #expect(
            file.posts.map { $0.source } == [
                "Reuters", "CNN", "NY Times", "NY Times", "AFP", "AFP", nil, "Arirang News", "Reuters", nil,
            ])
        // [Full story] is a link to the rest of the story, not a publisher.
        #expect(file.posts[6].continued && file.posts[6].linkText == "Full story")
        #expect(file.posts.filter { $0.linkText != nil }.count == 1)
        let last = try #require(file.posts.last)
        #expect(last.title == "North Korea beginning Chinese style reforms – Part 1")
        #expect(last.continued)
        #expect(last.editorNote?.hasPrefix("Excerpts of an opinion piece by Andrei Lankov") == true)
        #expect(last.body.first?.hasPrefix("There is big news coming from North Korea") == true)
        #expect(file.posts.allSatisfy { $0.author == nil && $0.date == nil && !$0.body.isEmpty })
        #expect(file.posts.dropLast().allSatisfy { $0.editorNote == nil })
        #expect(file.posts.indices.filter { file.posts[$0].continued } == [6, 9])
        #expect(Set(file.posts.map(\.id)).count == 10)
        // The same text with CRLF line ends and a final newline parses to the same posts.
        let crlf = text.replacingOccurrences(of: "\n", with: "\r\n") + "\r\n"
        #expect(try CorpusParser.parse(crlf) == file)
    }

    @Test func theSampleCorpusHasEveryQuirk() throws {
        let folder = TestPaths.repositoryRoot.appendingPathComponent("samples/corpus")
        let border = try CorpusParser.parse(
            String(contentsOf: folder.appendingPathComponent("border-trade.txt"), encoding: .utf8))
        #expect(border.category == "Border Trade")
        #expect(border.posts.count == 5)
        #expect(border.posts[1].date == "12 March 2024")
        #expect(border.posts[1].author == "J. Park")
        #expect(border.posts[3].editorNote?.hasPrefix("Editor’s note") == true)
        #expect(border.posts[4].continued && border.posts[4].source == nil)
        #expect(border.posts[0].source == "Sample Wire")
        let diplomacyData = try Data(contentsOf: folder.appendingPathComponent("diplomacy.txt"))
        #expect(diplomacyData.contains(0x0D), "the CRLF sample must keep its CRLF line ends")
        let diplomacy = try CorpusParser.parse(String(decoding: diplomacyData, as: UTF8.self))
        #expect(diplomacy.posts.count == 3)
        #expect(diplomacy.posts.allSatisfy { post in post.body.allSatisfy { !$0.contains("\r") } })
        // A link marker closes the post: the source stays unknown, the marker is the post's link text.
        #expect(diplomacy.posts[2].source == nil)
        #expect(diplomacy.posts[2].continued && diplomacy.posts[2].linkText == "Full story")
        #expect(border.posts[4].linkText == nil, "[continued] is the plain marker")
        let names = try CorpusParser.parse(
            String(contentsOf: folder.appendingPathComponent("names.txt"), encoding: .utf8))
        #expect(names.posts.map(\.source) == ["Sample Wire", nil])
        #expect(names.posts.map(\.linkText) == [nil, "Full story"])
    }

    @Test func postIdsAreStableAndIgnoreSpacingAndCase() {
        let a = PostID.derived(category: "China", title: "A  Title")
        let b = PostID.derived(category: "china", title: "a title ")
        #expect(a == b)
        #expect(a.rawValue.count == 16)
        #expect(a != PostID.derived(category: "Korea", title: "A Title"))
    }

    @Test func wrappedParagraphLinesAreJoined() throws {
        let file = try CorpusParser.parse("Category: X\n\nT\nPosted on by\n\nline one\nline two\n\n[S]\n")
        #expect(file.posts[0].body == ["line one line two"])
        #expect(file.posts[0].title == "T")
    }

    @Test func aBracketedParagraphInTheMiddleIsBodyText() throws {
        let file = try CorpusParser.parse("Category: X\n\nT\n\nPosted on by\n\nOne.\n\n[aside]\n\nTwo.\n\n[S]")
        #expect(file.posts[0].body == ["One.", "[aside]", "Two."])
        #expect(file.posts[0].source == "S")
    }

    @Test(
        arguments: [
            ("", 1, "empty"),
            ("Title\n\nPosted on by\n\nBody\n\n[S]", 1, "Category"),
            ("Category: \n\nT\n\nPosted on by\n\nB\n\n[S]", 1, "category name is empty"),
            ("Category: X\n", 1, "no posts"),
            ("Category: X\n\nT\n\nBody without posted line\n\n[S]", 5, "Posted on"),
            ("Category: X\n\nT\n\nPosted on by\n\nBody\n", 7, "without a closing"),
            ("Category: X\n\nT\n\nPosted on by\n\n[S]", 5, "no body"),
            ("Category: X\n\nT\n\nPosted on by\n\nB\n\n[S]\n\nT\n\nPosted on by\n\nC\n\n[S]", 11, "already appeared"),
            ("Category: X\n\nT\n\nPosted on by\n\nB\n\nU\n\nPosted on by\n\nC\n\n[S]", 11, "Posted on"),
        ] as [(String, Int, String)])
    func malformedFilesNameTheLine(text: String, line: Int, fragment: String) {
        do {
            _ = try CorpusParser.parse(text)
            Issue.record("expected a parse error")
        } catch {
            #expect(error.line == line, "\(error)")
            #expect(error.message.contains(fragment), "\(error)")
        }
    }
}
