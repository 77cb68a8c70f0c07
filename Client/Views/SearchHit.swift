import Foundation
import NKProtocol

/// One hit of `nkclient search`: a post or a note, with its best-matching passage.
public struct SearchHit: Encodable, Hashable, Sendable {
    /// What was found.
    public enum Kind: String, Encodable, Hashable, Sendable {
        case post
        case note
    }

    /// Marks the start of a matched term in ``snippet``.
    public static let highlightStart = "\u{2}"
    /// Marks the end of a matched term in ``snippet``.
    public static let highlightEnd = "\u{3}"

    public var kind: Kind
    /// The post's id, or the annotation's.
    public var id: String
    /// The post (the note's post, for a note).
    public var postId: PostID
    /// The post's title.
    public var title: String
    /// The passage that matched, from SQLite's `snippet()`, with each matched term between
    /// ``highlightStart`` and ``highlightEnd``; see ``snippet(open:close:)``.
    public var snippet: String
    /// bm25 score (lower is better; FTS5 gives negative numbers).
    public var rank: Double
    /// The note's author (notes only).
    public var author: String?
    /// The note's tags (notes only).
    public var tags: [String]?
    /// True for a note with a change the server rejected that the user has not settled (notes only).
    public var rejected: Bool = false
    /// The day of the post's byline, or when the note was written: what `--sort date` orders by.
    public var date: Date?

    /// The snippet with every matched term between `open` and `close` (`[`/`]`, or ANSI bold).
    public func snippet(open: String, close: String) -> String {
        snippet.replacingOccurrences(of: Self.highlightStart, with: open)
            .replacingOccurrences(of: Self.highlightEnd, with: close)
    }

    /// The snippet for a terminal, on one line: matched terms between `open` and `close` (our own
    /// markers or colours, kept as they are), the text around them with line breaks as spaces and
    /// other control characters escaped (``TerminalText``).
    public func displaySnippet(open: String, close: String) -> String {
        var result = ""
        var run = ""
        func flush() {
            // Line breaks read as spaces; a lone CR is no line break and is shown escaped.
            let flat = String(run.map { $0 == "\n" || $0 == "\r\n" ? " " : $0 })
            result += TerminalText.escaped(flat, .singleLine)
            run = ""
        }
        for scalar in snippet.unicodeScalars {
            switch String(scalar) {
            case Self.highlightStart:
                flush()
                result += open
            case Self.highlightEnd:
                flush()
                result += close
            default:
                run.unicodeScalars.append(scalar)
            }
        }
        flush()
        return result
    }

    enum CodingKeys: String, CodingKey { case kind, id, postId, title, snippet, rank, author, tags, rejected }

    /// `{"kind","id","postId","title","snippet","rank"}`, plus `author`, `tags` and `rejected` for a note; matched
    /// terms are marked `[term]` in the snippet.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind, forKey: .kind)
        try c.encode(id, forKey: .id)
        try c.encode(postId, forKey: .postId)
        try c.encode(title, forKey: .title)
        try c.encode(snippet(open: "[", close: "]"), forKey: .snippet)
        try c.encode(rank, forKey: .rank)
        if kind == .note {
            try c.encode(author ?? "", forKey: .author)
            try c.encode(tags ?? [], forKey: .tags)
            try c.encode(rejected, forKey: .rejected)
        }
    }
}
