import Foundation
import NKProtocol
import NKTestSupport
import NKTestTraits
import Testing

@Suite(.tags(.unit)) struct FoldedTextTests {
    /// The readable normal form (separators collapsed), one quirk of the dumps per row.
    @Test(arguments: [
        ("D.P.R.K.’s", "dprk's"),
        ("the U.N. envoy", "the un envoy"),
        ("U.S. Treasury", "us treasury"),
        ("Jan 2. provided", "jan 2. provided"),
        ("No. 1", "no. 1"),
        ("would probably\u{A0}veto", "would probably veto"),
        ("thin\u{2009}space and\u{202F}narrow", "thin space and narrow"),
        ("  runs \t of\n\nwhite   space  ", "runs of white space"),
        ("line\r\nend", "line end"),
        ("members – Australia — and 1990‒1995 − 2", "members - australia - and 1990-1995 - 2"),
        ("“hundreds” of ‘small’ banks", "\"hundreds\" of 'small' banks"),
        ("«guillemets» and the prime′", "\"guillemets\" and the prime'"),
        ("ﬁnance … ＵＮ", "finance ... un"),
        ("soft\u{AD}hyphen and zero\u{200B}width", "softhyphen and zerowidth"),
        ("Café SANCTIONS", "café sanctions"),
    ])
    func foldsEachQuirk(original: String, folded: String) {
        #expect(FoldedText(original).string == folded)
    }

    /// The matching form ignores white space and hyphens: a name in any of its romanisations reads the same.
    @Test(arguments: [
        ("Kim Jong-un", "Kim Jong Un"), ("Kim Jong Un", "Kim Jongun"), ("Jang Song-thaek", "jang song thaek"),
        ("Heung-kwang", "Heung Kwang"), ("D.P.R.K.", "DPRK"), ("U.N.", "UN"), ("the D.P.R.K.’s", "the DPRK's"),
        ("would probably\u{A0}veto", "WOULD  probably\nveto"), ("resolution – a view", "resolution - a view"),
    ])
    func equivalentSpellings(lhs: String, rhs: String) {
        #expect(FoldedText.equivalent(lhs, rhs))
    }

    @Test(arguments: [
        ("Kim Jong-un", "Kim Jong-il"), ("D.P.R.K.", "D.P.R."), ("sanction", "sanctions"), ("it's", "its"),
    ])
    func differentWordsStayDifferent(lhs: String, rhs: String) {
        #expect(!FoldedText.equivalent(lhs, rhs))
    }

    @Test func everyFoldedScalarMapsBackToTheOriginal() {
        let text = "A U.N. envoy to the D.P.R.K.’s\u{A0}capital — Kim Jong-un, “supported by Russia”."
        let original = Array(text.unicodeScalars)
        for separators in [FoldedText.Separators.collapsed, .ignored] {
            let folded = FoldedText(text, separators: separators)
            #expect(folded.origins.count == folded.scalars.count)
            #expect(zip(folded.origins, folded.origins.dropFirst()).allSatisfy { $0.upperBound <= $1.lowerBound })
            for (scalar, origin) in zip(folded.scalars, folded.origins) {
                let piece = String(String.UnicodeScalarView(original[origin]))
                // Each folded scalar comes from original text that folds to (or collapses into) it.
                #expect(
                    FoldedText(piece, separators: .collapsed).string.unicodeScalars.contains(scalar) || scalar == " ")
            }
        }
        let ranges = FoldedText(text, separators: .ignored).occurrences(
            of: FoldedText("dprk's capital", separators: .ignored))
        let range = try? #require(ranges.first)
        #expect(ranges.count == 1)
        #expect(range.map { String(String.UnicodeScalarView(original[$0])) } == "D.P.R.K.’s\u{A0}capital")
    }

    /// A match covers whole characters: a quote that ends inside what one character folded to has no
    /// passage of the original to point at. Found by FuzzAnchor: `i` matched `I` with a combining accent,
    /// and the re-anchored note held the accent its quote did not.
    @Test(arguments: [
        ("X I\u{059E} Y", "x i", false), ("X I\u{059E} Y", "i\u{059E} y", true),
        ("wait…", "wait.", false), ("wait…", "wait...", true),
        ("ﬁnance", "f", false), ("ﬁnance", "finance", true), ("ﬁnance", "inance", false),
    ])
    func occurrencesCoverWholeCharacters(text: String, quote: String, found: Bool) {
        let ranges = FoldedText(text, separators: .ignored).occurrences(of: FoldedText(quote, separators: .ignored))
        #expect(ranges.isEmpty == !found)
        let original = Array(text.unicodeScalars)
        for range in ranges {
            #expect(FoldedText.equivalent(String(String.UnicodeScalarView(original[range])), quote))
        }
    }

    // MARK: Quotes, as researchers type them

    static let names: Post = {
        let url = TestPaths.repositoryRoot.appendingPathComponent("samples/corpus/names.txt")
        let file = try! CorpusParser.parse(String(contentsOf: url, encoding: .utf8))
        return file.posts[0]
    }()

    static let spellings: Post = {
        let url = TestPaths.repositoryRoot.appendingPathComponent("samples/corpus/names.txt")
        let file = try! CorpusParser.parse(String(contentsOf: url, encoding: .utf8))
        return file.posts[1]
    }()

    /// A quote as typed, and the post's own characters that the anchor keeps.
    @Test(arguments: [
        ("the D.P.R.K.'s capital", "the D.P.R.K.’s capital"),
        ("the DPRK's capital", "the D.P.R.K.’s capital"),
        ("would probably veto", "would probably\u{A0}veto"),
        ("Would Probably Veto", "would probably\u{A0}veto"),
        ("resolution - a view", "resolution – a view"),
        ("a UN envoy", "a U.N. envoy"),
        ("\"supported by Russia\"", "“supported by Russia”"),
        ("  the talks   ", "the talks"),
    ])
    func aTypedQuoteAnchorsToThePostsCharacters(typed: String, exact: String) throws {
        let text = Self.names.text
        let anchor = try Anchor.locate(typed, in: text)
        #expect(anchor.exact == exact)
        let scalars = Array(text.unicodeScalars)
        #expect(String(String.UnicodeScalarView(scalars[anchor.start..<anchor.end])) == exact)
        #expect(anchor.reanchored(in: text) == Reanchoring(anchor: anchor, status: .exact))
    }

    @Test func everyRomanisationOfANameIsAnOccurrence() throws {
        let text = Self.spellings.text
        #expect(throws: AnchorError.ambiguous(count: 3)) { try Anchor.locate("kim jong un", in: text) }
        let exacts = try (1...3).map { try Anchor.locate("Kim Jongun", in: text, occurrence: $0).exact }
        #expect(exacts == ["Kim Jong-un", "Kim Jong Un", "Kim Jongun"])
        #expect(throws: AnchorError.ambiguous(count: 2)) { try Anchor.locate("Jang Song-thaek", in: text) }
        #expect(try Anchor.locate("Heung kwang", in: text).exact == "Heung-kwang")
        #expect(throws: AnchorError.notFound) { try Anchor.locate("Kim Jong-il", in: text) }
        #expect(throws: AnchorError.emptyQuote) { try Anchor.locate(" - ", in: text) }
    }

    @Test func aCorrectionThatOnlyStraightensQuotesMovesTheNote() throws {
        let text = Self.names.text
        let anchor = try Anchor.locate("the D.P.R.K.’s capital", in: text)
        let corrected = "Update. " + text.replacingOccurrences(of: "’", with: "'")
        let placed = anchor.reanchored(in: corrected)
        #expect(placed.status == .moved)
        #expect(placed.anchor.exact == "the D.P.R.K.'s capital")
        #expect(placed.anchor.start == anchor.start + 8)
    }

    // MARK: The real dump

    /// Quotes typed the way the issue reports them failing, in the real dump (read, never copied), and
    /// the spellings of the dump that every occurrence anchors to.
    @Test(
        .enabled(
            if: FileManager.default.fileExists(atPath: CorpusParserTests.sharedDump.path),
            "../shared/corpus is not beside the checkout"),
        arguments: [
            ("the DPRK's", ["the D.P.R.K.’s"]),
            ("would probably veto", ["would probably veto"]),
            ("Kim Jong Un", ["Kim Jong-un", "Kim Jong Un"]),
            ("jang song thaek", ["Jang Song-thaek"]),
            ("kim heung kwang", ["Kim Heung-Kwang", "Kim Heung-kwang"]),
            ("the country's", ["the country’s"]),
            ("U.N. Security Council", ["U.N. Security Council", "UN Security Council"]),
        ] as [(String, Set<String>)])
    func theRealDumpsQuirks(typed: String, spellings: Set<String>) throws {
        let file = try CorpusParser.parse(String(contentsOf: CorpusParserTests.sharedDump, encoding: .utf8))
        var found: [String] = []
        for post in file.posts {
            var occurrence = 1
            while let anchor = try? Anchor.locate(typed, in: post.text, occurrence: occurrence) {
                found.append(anchor.exact)
                occurrence += 1
            }
        }
        #expect(!found.isEmpty, "\(typed) is in no post of the dump")
        #expect(Set(found) == spellings)
    }
}
