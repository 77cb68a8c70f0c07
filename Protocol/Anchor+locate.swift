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
    /// Anchors `quote` in `text` (a post's ``Post/text``).
    ///
    /// - Parameter occurrence: which occurrence, counting from 1; required when the quote occurs more than once.
    public static func locate(_ quote: String, in text: String, occurrence: Int? = nil) throws(AnchorError) -> Anchor {
        let needle = Array(quote.unicodeScalars)
        guard !needle.isEmpty else { throw .emptyQuote }
        let haystack = Array(text.unicodeScalars)
        let starts = occurrences(of: needle, in: haystack)
        guard !starts.isEmpty else { throw .notFound }
        let chosen: Int
        if let occurrence {
            guard occurrence >= 1, occurrence <= starts.count else {
                throw .noSuchOccurrence(requested: occurrence, count: starts.count)
            }
            chosen = starts[occurrence - 1]
        } else {
            guard starts.count == 1 else { throw .ambiguous(count: starts.count) }
            chosen = starts[0]
        }
        let end = chosen + needle.count
        let prefixStart = max(0, chosen - contextLength)
        let suffixEnd = min(haystack.count, end + contextLength)
        return Anchor(
            exact: quote,
            prefix: String(String.UnicodeScalarView(haystack[prefixStart..<chosen])),
            suffix: String(String.UnicodeScalarView(haystack[end..<suffixEnd])),
            start: chosen,
            end: end
        )
    }

    /// Start offsets of every (possibly overlapping) occurrence of `needle` in `haystack`.
    static func occurrences(of needle: [Unicode.Scalar], in haystack: [Unicode.Scalar]) -> [Int] {
        guard needle.count <= haystack.count else { return [] }
        var result: [Int] = []
        var index = 0
        while index + needle.count <= haystack.count {
            if haystack[index] == needle[0] && haystack[index..<(index + needle.count)].elementsEqual(needle) {
                result.append(index)
            }
            index += 1
        }
        return result
    }
}
