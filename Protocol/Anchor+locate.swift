/// Why a quote could not be anchored in a post.
public enum AnchorError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The quote does not occur in the post.
    case notFound
    /// The quote occurs `count` times and no occurrence was chosen.
    case ambiguous(count: Int)
    /// The chosen occurrence does not exist.
    case noSuchOccurrence(requested: Int, count: Int)
    /// The quote is empty.
    case emptyQuote

    public var description: String {
        switch self {
        case .notFound: "the quote does not occur in the post"
        case .ambiguous(let count):
            "the quote occurs \(count) times in the post; choose one with --occurrence 1...\(count)"
        case .noSuchOccurrence(let requested, let count):
            "occurrence \(requested) does not exist; the quote occurs \(count) time\(count == 1 ? "" : "s")"
        case .emptyQuote: "the quote is empty"
        }
    }
}

extension Anchor {
    /// Anchors `quote` in `text` (a post's ``Post/text``), matching as ``FoldedText`` folds both (case,
    /// typographic quotes, dashes, white space, hyphens in names, dotted acronyms), so a quote typed with
    /// a straight apostrophe finds the post's curly one.
    ///
    /// The anchor holds the post's own characters: ``exact`` is the passage of `text` that matched (what a
    /// W3C `TextQuoteSelector` selects), not `quote` as typed, and ``start`` and ``end`` are its exact
    /// offsets in Unicode scalars of `text`.
    ///
    /// - Parameter occurrence: which occurrence, counting from 1; required when the quote occurs more than once.
    public static func locate(_ quote: String, in text: String, occurrence: Int? = nil) throws(AnchorError) -> Anchor {
        let needle = FoldedText(quote, separators: .ignored)
        guard !needle.isEmpty else { throw .emptyQuote }
        let ranges = FoldedText(text, separators: .ignored).occurrences(of: needle)
        guard !ranges.isEmpty else { throw .notFound }
        let chosen: Range<Int>
        if let occurrence {
            guard occurrence >= 1, occurrence <= ranges.count else {
                throw .noSuchOccurrence(requested: occurrence, count: ranges.count)
            }
            chosen = ranges[occurrence - 1]
        } else {
            guard ranges.count == 1 else { throw .ambiguous(count: ranges.count) }
            chosen = ranges[0]
        }
        let haystack = Array(text.unicodeScalars)
        let prefixStart = max(0, chosen.lowerBound - contextLength)
        let suffixEnd = min(haystack.count, chosen.upperBound + contextLength)
        func string(_ range: Range<Int>) -> String { String(String.UnicodeScalarView(haystack[range])) }
        return Anchor(
            exact: string(chosen),
            prefix: string(prefixStart..<chosen.lowerBound),
            suffix: string(chosen.upperBound..<suffixEnd),
            start: chosen.lowerBound,
            end: chosen.upperBound
        )
    }
}
