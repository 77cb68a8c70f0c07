import Foundation
import NKTestSupport
import NKTestTraits
import Testing

@testable import NKProtocol

@Suite(.tags(.unit)) struct MarkdownExportTests {
    static let post = Post(
        title: "Rice # prices *soar*", body: ["Rice prices rose 5% in a week.", "Traders said: “we wait.”"],
        category: "Trade", source: "Sample Wire", author: "J. Park", date: "12 March 2024")

    static func annotation(
        _ number: Int, on post: Post, _ anchor: Anchor, note: String = "", tags: [String] = [], author: String
    ) -> Annotation {
        Annotation(
            id: AnnotationID("00000000-0000-4000-8000-00000000000\(number)"), postId: post.id, anchor: anchor,
            note: note, tags: tags, visibility: .shared, author: author,
            createdAt: Date(timeIntervalSince1970: 0), updatedAt: Date(timeIntervalSince1970: 0))
    }

    /// Four annotations on one post, one per status, given out of text order.
    static func example() throws -> (annotations: [Annotation], statuses: [AnnotationID: AnchorStatus]) {
        let text = post.text
        let moved = annotation(
            1, on: post, try Anchor.locate("Traders said", in: text), note: "- first point\n2. second",
            tags: ["rice", "prices"], author: "alice")
        let exact = annotation(2, on: post, try Anchor.locate("Rice prices rose 5%", in: text), author: "bob")
        let orphaned = annotation(
            3, on: post, Anchor(exact: "gone passage", prefix: "", suffix: " was here", start: 0, end: 12),
            note: "Check.", author: "carol")
        let fuzzy = annotation(
            4, on: post, try Anchor.locate("in a week.\n\nTraders", in: text),
            note: "Line one\nLine two\n\n\nPara two", author: "")
        return (
            [moved, orphaned, fuzzy, exact],
            [moved.id: .moved, orphaned.id: .orphaned, fuzzy.id: .fuzzy]
        )
    }

    @Test func aPostWithOneAnnotationOfEachStatus() throws {
        let (annotations, statuses) = try Self.example()
        let document = MarkdownExport.document(posts: [Self.post], annotations: annotations, statuses: statuses)
        #expect(
            document == """
                # Rice \\# prices \\*soar\\*

                Category: Trade · Source: Sample Wire · Author: J. Park · Date: 12 March 2024

                > Rice prices rose 5%

                — bob · shared

                > in a week.
                >
                > Traders

                Line one\\
                Line two

                Para two

                shared\\
                (fuzzy: the post was corrected; the quote shows the passage as it now reads)

                > Traders said

                \\- first point\\
                2\\. second

                Tags: prices, rice\\
                — alice · shared\\
                (moved: the post was corrected; the passage now stands elsewhere in it)

                > gone passage

                Check.

                — carol · shared\\
                (orphaned: this passage is no longer in the post)

                """)
    }

    @Test func onlyAnnotatedPostsAppearInAStableOrder() throws {
        let corpus = try String(contentsOf: TestPaths.sampleCorpus[0], encoding: .utf8)
        let posts = try CorpusParser.parse(corpus).posts
        try #require(posts.count >= 3)
        let first = Self.annotation(
            1, on: posts[2], try Anchor.locate("Freight trains resumed", in: posts[2].text), author: "alice")
        let second = Self.annotation(
            2, on: posts[0], try Anchor.locate("Friendship Bridge", in: posts[0].text), author: "bob")
        let document = MarkdownExport.document(posts: posts, annotations: [first, second], statuses: [:])
        let headings = document.split(separator: "\n").filter { $0.hasPrefix("# ") }
        // Same category: by title.
        #expect(
            headings == [
                "# Dandong traders report slower winter crossings", "# Rail freight resumes after a two-year pause",
            ])
        #expect(!document.contains(posts[1].title))
        #expect(document.contains("Category: Border Trade · Source: Sample Wire\n"))
        let reordered = MarkdownExport.document(
            posts: posts.reversed(), annotations: [second, first], statuses: [:])
        #expect(reordered == document)
        #expect(!document.contains("(moved") && !document.contains("(orphaned"))
    }

    @Test func annotationsOfAPostNotGivenAreKeptInASectionOfTheirOwn() throws {
        let (annotations, statuses) = try Self.example()
        let document = MarkdownExport.document(posts: [], annotations: annotations, statuses: statuses)
        #expect(document.hasPrefix("# A post not held here (\(Self.post.id.rawValue))\n\n> Rice prices rose 5%\n"))
        #expect(document.components(separatedBy: "\n> ").count - 1 == 5)
    }

    @Test func noAnnotationsGiveAnEmptyDocument() {
        #expect(MarkdownExport.document(posts: [Self.post], annotations: [], statuses: [:]) == "")
    }

    @Test(arguments: [
        ("# not a heading", "\\# not a heading"),
        ("## also not", "\\## also not"),
        ("> not a quote", "\\> not a quote"),
        ("- not a list", "\\- not a list"),
        ("+ not a list", "\\+ not a list"),
        ("* not a list", "\\* not a list"),
        ("12. not a list", "12\\. not a list"),
        ("3) not a list", "3\\) not a list"),
        ("2024 was a year.", "2024 was a year."),
        ("---", "\\---"),
        ("===", "\\==="),
        ("    not code", "not code"),
        ("```swift", "\\`\\`\\`swift"),
        ("*bold* and _it_", "\\*bold\\* and \\_it\\_"),
        ("[a link](http://x)", "\\[a link\\](http://x)"),
        ("<b>html</b>", "\\<b\\>html\\</b\\>"),
        ("a | b", "a \\| b"),
        ("AT&T & co", "AT&T & co"),
        ("&amp; &#169;", "\\&amp; \\&#169;"),
        ("back\\slash", "back\\\\slash"),
        ("“curly” — 5% 🇰🇷", "“curly” — 5% 🇰🇷"),
    ])
    func userTextCannotBreakTheStructure(input: String, escaped: String) throws {
        // In a quote and in a note: the quote stays one blockquote, the note one paragraph.
        let anchor = Anchor(exact: input, prefix: "", suffix: "", start: 0, end: input.unicodeScalars.count)
        let annotation = Self.annotation(1, on: Self.post, anchor, note: input, author: "alice")
        let document = MarkdownExport.document(posts: [Self.post], annotations: [annotation], statuses: [:])
        let blocks = document.components(separatedBy: "\n\n")
        #expect(blocks.count == 5)
        #expect(blocks[2] == "> " + escaped)
        #expect(blocks[3] == escaped)
    }

    @Test func everyLineOfAMultiParagraphQuoteStaysInTheBlockquote() {
        let quote = "First line\n# second line\n\n\n> third\n- fourth"
        let anchor = Anchor(exact: quote, prefix: "", suffix: "", start: 0, end: quote.unicodeScalars.count)
        let annotation = Self.annotation(1, on: Self.post, anchor, note: "x\r\ny", author: "alice")
        let document = MarkdownExport.document(posts: [Self.post], annotations: [annotation], statuses: [:])
        #expect(document.contains("\n\nx\\\ny\n\n"))
        #expect(
            document.contains(
                """

                > First line\\
                > \\# second line
                >
                > \\> third\\
                > \\- fourth

                """))
    }

    @Test(arguments: AnchorStatus.allCases)
    func theStatusIsNotedWhenNotExact(status: AnchorStatus) throws {
        let anchor = try Anchor.locate("Traders said", in: Self.post.text)
        let annotation = Self.annotation(1, on: Self.post, anchor, author: "alice")
        let document = MarkdownExport.document(
            posts: [Self.post], annotations: [annotation], statuses: [annotation.id: status])
        let note = MarkdownExport.statusNote(status)
        #expect((note == nil) == (status == .exact))
        if let note {
            #expect(note.hasPrefix("(\(status.rawValue): "))
            #expect(document.hasSuffix("— alice · shared\\\n\(note)\n"))
        } else {
            #expect(document.hasSuffix("> Traders said\n\n— alice · shared\n"))
        }
    }

    @Test(arguments: [
        (Visibility.shared, "— alice · shared"), (.private, "— alice · private"),
        (.group("north"), "— alice · group north"), (.group("a_b"), "— alice · group a\\_b"),
    ])
    func everyNoteSaysWhoMaySeeIt(visibility: Visibility, line: String) throws {
        var annotation = Self.annotation(
            1, on: Self.post, try Anchor.locate("Traders said", in: Self.post.text), author: "alice")
        annotation.visibility = visibility
        let document = MarkdownExport.document(posts: [Self.post], annotations: [annotation], statuses: [:])
        #expect(document.hasSuffix("> Traders said\n\n\(line)\n"), "\(document)")
    }

    @Test func everyVersionOfANoteInConflictIsExportedAndMarked() throws {
        let anchor = try Anchor.locate("Traders said", in: Self.post.text)
        let bob = Self.annotation(1, on: Self.post, anchor, note: "Bob's reading", author: "alice")
        var alice = bob
        alice.note = "Alice's reading"
        let exported = [
            ExportedAnnotation(bob, conflict: ConflictVersion(index: 1, count: 2, version: "b:1", deleted: false)),
            ExportedAnnotation(alice, conflict: ConflictVersion(index: 0, count: 2, version: "a:2", deleted: false)),
        ]
        let document = MarkdownExport.document(posts: [Self.post], exported: exported, statuses: [:])
        let first = try #require(document.range(of: "Alice's reading"))
        let second = try #require(document.range(of: "Bob's reading"))
        #expect(first.upperBound < second.lowerBound)
        #expect(document.contains("(in conflict: version 1 of 2 (a:2); nkclient conflicts lists them"))
        #expect(document.contains("(in conflict: version 2 of 2 (b:1); nkclient conflicts lists them"))
        #expect(document.components(separatedBy: "> Traders said").count == 3)
    }
}
