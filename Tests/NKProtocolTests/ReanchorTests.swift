import Foundation
import NKProtocol
import NKTestSupport
import NKTestTraits
import PropertyBased
import Testing

/// The scalars of `text` at `range`, as a string.
private func slice(_ text: String, _ start: Int, _ end: Int) -> String {
    let scalars = Array(text.unicodeScalars)
    return String(String.UnicodeScalarView(scalars[start..<end]))
}

/// The scalar offset of the `occurrence`-th (from 1) occurrence of `needle` in `text`.
private func offset(of needle: String, in text: String, occurrence: Int = 1) -> Int {
    let haystack = Array(text.unicodeScalars)
    let pattern = Array(needle.unicodeScalars)
    var seen = 0
    for start in 0...(haystack.count - pattern.count)
    where haystack[start..<(start + pattern.count)].elementsEqual(pattern) {
        seen += 1
        if seen == occurrence { return start }
    }
    return -1
}

/// An anchor on the scalars `start..<end` of `text`, with context as ``Anchor/locate(_:in:occurrence:)`` makes it.
private func anchor(in text: String, start: Int, end: Int) -> Anchor {
    let scalars = Array(text.unicodeScalars)
    func string(_ range: Range<Int>) -> String { String(String.UnicodeScalarView(scalars[range])) }
    return Anchor(
        exact: string(start..<end),
        prefix: string(max(0, start - Anchor.contextLength)..<start),
        suffix: string(end..<min(scalars.count, end + Anchor.contextLength)),
        start: start, end: end)
}

/// One correction of a post and what re-anchoring must make of it.
struct ReanchorCase: Sendable, CustomTestStringConvertible {
    var name: String
    var old: String
    var quote: String
    var occurrence = 1
    var new: String
    var status: AnchorStatus
    /// The passage the anchor must select in the new text (nil when orphaned)...
    var found: String?
    /// ...and which occurrence of it.
    var foundOccurrence = 1

    var testDescription: String { name }
}

private let envoys = """
    Senior envoys met in a hotel outside the capital on Tuesday to prepare for next month’s summit, \
    two officials familiar with the talks said.

    The meeting, which was not announced, focused on the agenda and on the order in which the leaders \
    would speak. “Nothing is agreed until everything is agreed,” one official said.

    Observers said the quiet meeting was a sign both sides wanted the summit to go ahead.
    """

private let rates = "Markets were calm. The central bank said the rate held steady at five percent this week."

@Suite(.tags(.unit)) struct ReanchorTests {
    static let cases: [ReanchorCase] = [
        ReanchorCase(
            name: "unchanged text", old: envoys, quote: "focused on the agenda", new: envoys, status: .exact,
            found: "focused on the agenda"),
        ReanchorCase(
            name: "paragraph appended after a quote at the end", old: rates, quote: "five percent this week",
            new: rates + "\n\nAnalysts expect no change in June.", status: .exact, found: "five percent this week"),
        ReanchorCase(
            name: "paragraph inserted before", old: envoys, quote: "focused on the agenda",
            new: "[Updated with a denial from the ministry.]\n\n" + envoys, status: .moved,
            found: "focused on the agenda"),
        ReanchorCase(
            name: "paragraph inserted before a quote with curly quotes",
            old: envoys, quote: "“Nothing is agreed until everything is agreed,”",
            new: "Correction 🇰🇷 — an earlier version misnamed the hotel.\n\n" + envoys, status: .moved,
            found: "“Nothing is agreed until everything is agreed,”"),
        ReanchorCase(
            name: "quote occurring twice after the edit: the one with its old context wins, not the closer one",
            old: "The envoy said the talks were useful and would continue next week.",
            quote: "the talks were useful",
            new: "Critics said the talks were useful only to one side.\n\n"
                + "The envoy said the talks were useful and would continue next week.",
            status: .moved, found: "the talks were useful", foundOccurrence: 2),
        ReanchorCase(
            name:
                "the same words twice after the edit: the occurrence whose suffix also matches beats one at the old offsets",
            old: "At the meeting in Dandong on Tuesday, officials said the talks were useful and would go on.",
            quote: "the talks were useful",
            new: "At the meeting in Dandong on Tuesday, officials said the talks were useful.\n\n"
                + "At the meeting in Dandong on Tuesday, officials said the talks were useful and would go on.",
            status: .moved, found: "the talks were useful", foundOccurrence: 2),
        ReanchorCase(
            name: "a third of the quote changed is too much for a fuzzy match", old: rates,
            quote: "the rate held steady at five percent",
            new: rates.replacingOccurrences(of: "held steady at five", with: "fell sharply to four"),
            status: .orphaned),
        ReanchorCase(
            name: "a word changed inside the quote", old: rates, quote: "the rate held steady at five percent",
            new: rates.replacingOccurrences(of: "held", with: "stayed"), status: .fuzzy,
            found: "the rate stayed steady at five percent"),
        ReanchorCase(
            name: "straight quotes replaced curly ones inside the quote, after a paragraph was inserted",
            old: envoys, quote: "“Nothing is agreed until everything is agreed,” one official",
            new: "Updated.\n\n"
                + envoys.replacingOccurrences(of: "“", with: "\"").replacingOccurrences(of: "”", with: "\""),
            // The same words as the normaliser reads them: moved, to the post's new characters.
            status: .moved, found: "\"Nothing is agreed until everything is agreed,\" one official"),
        ReanchorCase(
            name: "quote deleted", old: envoys, quote: "which was not announced, ",
            new: envoys.replacingOccurrences(of: "which was not announced, ", with: ""), status: .orphaned),
        ReanchorCase(
            name: "sentence rewritten beyond a quarter of the quote", old: rates,
            quote: "the rate held steady at five percent",
            new: "Markets were calm. The central bank cut its main interest rate by half a point this week.",
            status: .orphaned),
        ReanchorCase(
            name: "a short quote changed by one letter is never fuzzy-matched",
            old: "They agreed to cut the tax on rice imports.", quote: "tax",
            new: "They agreed to cut the tab on rice imports.", status: .orphaned),
        ReanchorCase(
            name: "a short quote whose context stayed is fuzzy-matched",
            old: rates, quote: "held", new: rates.replacingOccurrences(of: "held", with: "hold"), status: .fuzzy,
            found: "hold"),
        ReanchorCase(
            name: "a short quote does not jump to the same word in another sentence",
            old: "Rice prices rose sharply. The rate held steady at five percent. Fuel was scarce.",
            quote: "held",
            new: "Rice prices rose sharply. Fuel was scarce. Traders held back their stock until spring.",
            status: .orphaned),
        ReanchorCase(
            name: "a long quote moves to its only occurrence even when its context changed",
            old: "Intro. " + rates, quote: "the rate held steady at five percent",
            new: "Completely different opening; the rate held steady at five percent, said nobody.",
            status: .moved, found: "the rate held steady at five percent"),
    ]

    @Test(arguments: cases)
    func reanchoringAfterACorrection(_ example: ReanchorCase) throws {
        let start = offset(of: example.quote, in: example.old, occurrence: example.occurrence)
        try #require(start >= 0)
        let old = anchor(in: example.old, start: start, end: start + example.quote.unicodeScalars.count)
        let result = old.reanchored(in: example.new)
        #expect(result.status == example.status)
        switch example.status {
        case .orphaned:
            #expect(result.anchor == old)
        case .exact:
            #expect(result.anchor == old)
            #expect(slice(example.new, old.start, old.end) == example.quote)
        case .moved, .fuzzy:
            let found = try #require(example.found)
            let expectedStart = offset(of: found, in: example.new, occurrence: example.foundOccurrence)
            #expect(result.anchor.exact == found)
            #expect(result.anchor.start == expectedStart)
            #expect(result.anchor.end == expectedStart + found.unicodeScalars.count)
            #expect(slice(example.new, result.anchor.start, result.anchor.end) == found)
            #expect(result.anchor == anchor(in: example.new, start: result.anchor.start, end: result.anchor.end))
        }
    }

    @Test func offsetsCountUnicodeScalarsNotCharactersOrUTF16() throws {
        // 🇰🇷 is one Character but two scalars; é is written as e + U+0301 (two scalars, one Character).
        let old = "Le ministre a déclaré: «Nous restons prêts». Fin."
        let inserted = "🇰🇷 Cafe\u{301} 😀\n\n"
        let new = inserted + old
        let start = offset(of: "«Nous restons prêts»", in: old)
        let original = anchor(in: old, start: start, end: start + "«Nous restons prêts»".unicodeScalars.count)
        let result = original.reanchored(in: new)
        #expect(result.status == .moved)
        let shift = inserted.unicodeScalars.count
        #expect(shift == 12)
        #expect(inserted.count == 10)  // Characters: the flag and the accented e are one each.
        #expect(inserted.utf16.count == 15)
        #expect(result.anchor.start == original.start + shift)
        #expect(result.anchor.end == original.end + shift)
        #expect(slice(new, result.anchor.start, result.anchor.end) == "«Nous restons prêts»")
    }

    @Test func sameOffsetsWithNewSurroundingsAreReportedAsMoved() {
        let old = "On Monday the ministry said the talks were useful."
        let new = "On Sunday the ministry said the talks were useful."
        let original = anchor(in: old, start: 14, end: 50)
        #expect(original.exact == "ministry said the talks were useful.")
        let result = original.reanchored(in: new)
        #expect(result.status == .moved)
        #expect(result.anchor.start == 14 && result.anchor.end == 50)
        #expect(result.anchor.prefix == "On Sunday the ")
    }

    @Test func emptyQuoteOrEmptyTextIsOrphaned() {
        let empty = Anchor(exact: "", prefix: "", suffix: "", start: 0, end: 0)
        #expect(empty.reanchored(in: rates).status == .orphaned)
        let original = anchor(in: rates, start: 0, end: 18)
        #expect(original.reanchored(in: "") == Reanchoring(anchor: original, status: .orphaned))
    }

    @Test func aQuoteWithoutContextIsFoundWhereverItIs() {
        // The quote was the whole text, so there is no prefix or suffix to confirm a place.
        let original = Anchor(exact: "Fuel was scarce.", prefix: "", suffix: "", start: 0, end: 16)
        let result = original.reanchored(in: "Update.\n\nFuel was scarce.")
        #expect(result.status == .moved)
        #expect(result.anchor.start == 9)
    }

    @Test func aQuoteLongerThanTheNewTextCanStillMatchApproximately() {
        let old = "The rate held steady at five percent."
        let original = anchor(in: old, start: 0, end: 37)
        let result = original.reanchored(in: "The rate held steady at 5 percent.")
        #expect(result.status == .fuzzy)
        #expect(result.anchor.exact == "The rate held steady at 5 percent.")
    }

    /// A post of about 50,000 scalars: the quote's paragraph moved by about 28,000 scalars and corrected, so the
    /// search around the old offsets fails and the whole text is searched.
    @Test func aCorrectedQuoteFarFromItsOldPlaceInALongPostIsFound() throws {
        let filler = (0..<400).map { "Paragraph \($0) repeats the market report of the day before in detail." }
        let target = "The bridge inspection now lasts up to three days for each loaded truck."
        let old = ([target] + filler).joined(separator: "\n\n")
        #expect(old.unicodeScalars.count > 27_000)
        let start = offset(of: "inspection now lasts up to three days", in: old)
        let original = anchor(in: old, start: start, end: start + 37)
        let corrected = target.replacingOccurrences(of: "three", with: "four")
        let new = (filler + [corrected] + filler.prefix(300)).joined(separator: "\n\n")
        #expect(new.unicodeScalars.count > 48_000)
        let result = original.reanchored(in: new)
        #expect(result.status == .fuzzy)
        #expect(result.anchor.exact == "inspection now lasts up to four days")
        #expect(result.anchor.start == offset(of: "inspection now lasts up to four days", in: new))
        #expect(result.anchor.start > 25_000)
    }

    @Test func aRealSamplePostCorrectedInTwoPlaces() throws {
        let corpus = try String(contentsOf: TestPaths.sampleCorpus[0], encoding: .utf8)
        let post = try #require(try CorpusParser.parse(corpus).posts.first)
        #expect(post.title == "Dandong traders report slower winter crossings")
        let quote = "payment now arrives late, in cash, or not at all"
        let original = try Anchor.locate(quote, in: post.text)
        var corrected = post
        corrected.body.insert("[This story was updated to add comments from customs officials.]", at: 0)
        corrected.body[3] = corrected.body[3].replacingOccurrences(of: "in cash", with: "in yuan cash")
        let result = original.reanchored(in: corrected.text)
        #expect(result.status == .fuzzy)
        #expect(result.anchor.exact == "payment now arrives late, in yuan cash, or not at all")
        #expect(slice(corrected.text, result.anchor.start, result.anchor.end) == result.anchor.exact)
    }

    // MARK: Properties

    private static let alphabet: [Unicode.Scalar] = ["a", "b", " ", "é", "“", "”", "😀", "\n"]
    private static let textGen = Gen<Int>.int(in: 0...7).array(of: 1...60).map { indices in
        String(String.UnicodeScalarView(indices.map { alphabet[$0] }))
    }

    @Test func anAnchorInItsOwnTextIsExact() async {
        await propertyCheck(count: 300, input: Self.textGen, Gen.int(in: 0...1000), Gen.int(in: 1...20)) {
            text, position, length in
            let count = text.unicodeScalars.count
            let start = position % count
            let end = min(count, start + length)
            let original = anchor(in: text, start: start, end: end)
            #expect(original.reanchored(in: text) == Reanchoring(anchor: original, status: .exact))
        }
    }

    /// Regression (found by the `FuzzAnchor` fuzz target, RELIABILITY.md suite 7): stored offsets far outside
    /// any text, as a damaged or hostile pulled annotation may hold, overflowed `start + quote length`, the
    /// distance to a verbatim occurrence, and the distance used to order approximate matches: each trapped,
    /// and `nkclient` with it wherever it shows notes.
    @Test(
        arguments: [
            ("xxabcxx", "abc", Int.max - 2, Int.max, AnchorStatus.moved, 2),
            ("xxabcxx", "abc", Int.min, 3, .moved, 2),
            ("abcdefgX abcdefgY", "abcdefgh", 0, Int.min, .orphaned, 0),
        ] as [(String, String, Int, Int, AnchorStatus, Int)])
    func offsetsFarOutsideTheTextDoNotTrap(
        text: String, quote: String, start: Int, end: Int, status: AnchorStatus, newStart: Int
    ) {
        let stored = Anchor(exact: quote, prefix: "", suffix: "", start: start, end: end)
        let result = stored.reanchored(in: text)
        #expect(result.status == status)
        #expect(result.anchor.start == (status == .orphaned ? start : newStart))
    }

    private static let longTextGen = Gen<Int>.int(in: 0...7).array(of: 12...60).map { indices in
        String(String.UnicodeScalarView(indices.map { alphabet[$0] }))
    }
    private static let insertionGen = Gen<Int>.int(in: 0...2).array(of: 1...60).map { indices in
        String(String.UnicodeScalarView(indices.map { (["0", "1", "-"] as [Unicode.Scalar])[$0] }))
    }

    /// Regression (found by the property below, whose seeds change every run): text inserted right
    /// before a specific quote replaced its stored prefix, and an approximate match that took in the
    /// inserted text won over the verbatim quote. The same cases as the property, from a fixed seed.
    @Test func aSpecificQuoteWithNewTextBesideItIsMovedNotFuzzy() {
        var rng = SeededRandom(seed: 29)
        for _ in 0..<3000 {
            let text = String(
                String.UnicodeScalarView(
                    (0..<Int.random(in: 12...60, using: &rng)).map { _ in
                        Self.alphabet[Int.random(in: 0...7, using: &rng)]
                    }))
            let insertion = String(
                String.UnicodeScalarView(
                    (0..<Int.random(in: 1...60, using: &rng)).map { _ in
                        (["0", "1", "-"] as [Unicode.Scalar])[Int.random(in: 0...2, using: &rng)]
                    }))
            let scalars = Array((text + text + text).unicodeScalars)
            let length = Int.random(in: Anchor.specificQuoteLength...30, using: &rng)
            let start = Int.random(in: 0..<(scalars.count - length), using: &rng)
            let original = anchor(in: String(String.UnicodeScalarView(scalars)), start: start, end: start + length)
            // Right before or right after the quote: the context on that side is all new.
            let cut = Bool.random(using: &rng) ? start : start + length
            let new =
                String(String.UnicodeScalarView(scalars[..<cut])) + insertion
                + String(String.UnicodeScalarView(scalars[cut...]))
            let result = original.reanchored(in: new)
            #expect(result.status == .exact || result.status == .moved, "\(original.exact) in \(new)")
            #expect(slice(new, result.anchor.start, result.anchor.end) == original.exact)
        }
    }

    /// Text inserted outside a quote long enough to be specific never loses it or changes it.
    @Test func aSpecificQuoteSurvivesAnInsertionOutsideIt() async {
        await propertyCheck(
            count: 300, input: Self.longTextGen, Self.insertionGen, Gen.int(in: 0...1000),
            Gen.int(in: Anchor.specificQuoteLength...30), Gen.int(in: 0...1000)
        ) { text, insertion, position, length, insertAt in
            let scalars = Array((text + text + text).unicodeScalars)
            let start = position % (scalars.count - length)
            let end = start + length
            let original = anchor(in: String(String.UnicodeScalarView(scalars)), start: start, end: end)
            let at = insertAt % (scalars.count + 1)
            let cut = at > start && at < end ? start : at
            let new =
                String(String.UnicodeScalarView(scalars[..<cut])) + insertion
                + String(String.UnicodeScalarView(scalars[cut...]))
            let result = original.reanchored(in: new)
            #expect(result.status == .exact || result.status == .moved)
            #expect(result.anchor.exact == original.exact)
            #expect(slice(new, result.anchor.start, result.anchor.end) == original.exact)
        }
    }
}
