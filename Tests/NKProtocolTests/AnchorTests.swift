import NKProtocol
import NKTestTraits
import Testing

@Suite(.tags(.unit)) struct AnchorTests {
    let text = "The rate held. Traders said the rate held again — twice.\n\nLast “quoted” paragraph."

    @Test func aUniqueQuoteIsAnchoredWithContextAndScalarOffsets() throws {
        let anchor = try Anchor.locate("twice", in: text)
        let scalars = Array(text.unicodeScalars)
        #expect(String(String.UnicodeScalarView(scalars[anchor.start..<anchor.end])) == "twice")
        #expect(anchor.suffix.hasPrefix("."))
        #expect(anchor.prefix.hasSuffix("again — "))
        #expect(anchor.prefix.unicodeScalars.count == Anchor.contextLength)
    }

    @Test func aRepeatedQuoteNeedsAnOccurrence() throws {
        #expect(throws: AnchorError.ambiguous(count: 2)) { try Anchor.locate("the rate held", in: text.lowercased()) }
        let second = try Anchor.locate("rate held", in: text, occurrence: 2)
        let first = try Anchor.locate("rate held", in: text, occurrence: 1)
        #expect(second.start > first.start)
        #expect(throws: AnchorError.noSuchOccurrence(requested: 3, count: 2)) {
            try Anchor.locate("rate held", in: text, occurrence: 3)
        }
    }

    @Test func aMissingQuoteIsAnError() {
        #expect(throws: AnchorError.notFound) { try Anchor.locate("sanctions", in: text) }
        #expect(throws: AnchorError.emptyQuote) { try Anchor.locate("", in: text) }
    }

    @Test func quotesAcrossCurlyQuotesAndParagraphsWork() throws {
        let anchor = try Anchor.locate("“quoted”", in: text)
        #expect(anchor.end - anchor.start == 8)
    }
}
