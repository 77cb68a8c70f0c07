import Foundation

/// A file of the blog-dump corpus format, parsed.
public struct CorpusFile: Hashable, Sendable {
    public var category: String
    public var posts: [Post]
}

/// Why a file is not in the corpus format: the line (counting from 1) and what was expected there.
public struct CorpusParseError: Error, Hashable, Sendable, CustomStringConvertible {
    public var line: Int
    public var message: String

    public var description: String { "line \(line): \(message)" }
}

/// Parses the blog-dump format:
///
/// ```
/// Category: China
///
/// A title
///
/// Posted on DATE by AUTHOR        (DATE and AUTHOR may be blank)
///
/// [An optional editor's note]
///
/// A paragraph.
///
/// Another paragraph.
///
/// [Reuters]                       (or [continued] when the post goes on elsewhere)
/// ```
///
/// Accepts CRLF line ends, a byte-order mark and a missing final newline. Lines of one paragraph
/// that were wrapped are joined with a space. Parsing is all or nothing: any error names its line.
public enum CorpusParser {
    public static func parse(_ text: String) throws(CorpusParseError) -> CorpusFile {
        var source = text
        if source.hasPrefix("\u{FEFF}") { source.removeFirst() }
        // Split on LF; a CR before it (CRLF) is dropped. Swift treats "\r\n" as one Character,
        // so split on Unicode scalars.
        let lines: [String] = source.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).map {
            var line = String(String.UnicodeScalarView($0))
            while line.unicodeScalars.last == "\r" { line.unicodeScalars.removeLast() }
            return line
        }
        var parser = LineParser(lines: lines)
        return try parser.parseFile()
    }
}

private struct LineParser {
    let lines: [String]
    var index = 0

    init(lines: [String]) { self.lines = lines }

    /// A run of non-blank lines.
    struct Block {
        var firstLine: Int
        var text: String
        var isBracketed: Bool {
            text.hasPrefix("[") && text.hasSuffix("]") && text.count >= 2
        }
        var bracketContent: String {
            String(text.dropFirst().dropLast()).trimmingWhitespace()
        }
    }

    func isBlank(_ line: String) -> Bool { line.trimmingWhitespace().isEmpty }

    mutating func skipBlank() {
        while index < lines.count && isBlank(lines[index]) { index += 1 }
    }

    /// Reads the next block starting at a non-blank line.
    mutating func readBlock() -> Block? {
        skipBlank()
        guard index < lines.count else { return nil }
        let first = index
        var parts: [String] = []
        // A "Posted on" line is a block of its own, even without blank lines around it.
        while index < lines.count && !isBlank(lines[index]) {
            let line = lines[index].trimmingWhitespace()
            let isPostedOn = Self.postedOn(line) != nil
            if isPostedOn && !parts.isEmpty { break }
            parts.append(line)
            index += 1
            if isPostedOn { break }
        }
        return Block(firstLine: first + 1, text: parts.joined(separator: " "))
    }

    /// The next two blocks, without consuming them.
    func peekBlocks(_ count: Int) -> [Block] {
        var copy = self
        var blocks: [Block] = []
        while blocks.count < count, let block = copy.readBlock() { blocks.append(block) }
        return blocks
    }

    /// Closing lines that link to the rest of the story rather than name a publisher, lower-cased: the
    /// dumps end a post with `[continued]` or `[Full story]` where the blog linked to the original.
    static let linkMarkers: Set<String> = [
        "continued", "full story", "read more", "more", "full article", "read the full story",
    ]

    static func postedOn(_ text: String) -> (date: String?, author: String?)? {
        guard text.hasPrefix("Posted on") else { return nil }
        let rest = text.dropFirst("Posted on".count)
        // "Posted on by", "Posted on DATE by", "Posted on DATE by AUTHOR".
        let padded = " " + rest + " "
        guard let byRange = padded.range(of: " by ", options: .backwards) else { return nil }
        let date = padded[padded.startIndex..<byRange.lowerBound].trimmingWhitespace()
        let author = padded[byRange.upperBound...].trimmingWhitespace()
        return (date.isEmpty ? nil : date, author.isEmpty ? nil : author)
    }

    mutating func parseFile() throws(CorpusParseError) -> CorpusFile {
        guard let header = readBlock() else {
            throw CorpusParseError(line: 1, message: "the file is empty; expected a 'Category: NAME' line")
        }
        guard header.text.hasPrefix("Category:") else {
            throw CorpusParseError(line: header.firstLine, message: "expected a 'Category: NAME' line")
        }
        let category = String(header.text.dropFirst("Category:".count)).trimmingWhitespace()
        guard !category.isEmpty else {
            throw CorpusParseError(line: header.firstLine, message: "the category name is empty")
        }
        var posts: [Post] = []
        var titles: [PostID: Int] = [:]
        while let titleBlock = readBlock() {
            let title = titleBlock.text
            if Self.postedOn(title) != nil {
                throw CorpusParseError(
                    line: titleBlock.firstLine, message: "expected a post title, found a 'Posted on' line")
            }
            let postedBlock = readBlock()
            guard let postedBlock, let posted = Self.postedOn(postedBlock.text) else {
                throw CorpusParseError(
                    line: postedBlock?.firstLine ?? lines.count,
                    message: "expected a 'Posted on DATE by AUTHOR' line after the title '\(title.prefix(60))'"
                )
            }
            var body: [String] = []
            var editorNote: String?
            var source: String?
            var continued = false
            var linkText: String?
            var closed = false
            var lastLine = postedBlock.firstLine
            while let block = readBlock() {
                lastLine = block.firstLine
                if Self.postedOn(block.text) != nil {
                    throw CorpusParseError(
                        line: block.firstLine,
                        message:
                            "a 'Posted on' line inside the body of '\(title.prefix(60))'; is its closing [Source] line missing?"
                    )
                }
                if block.isBracketed {
                    let next = peekBlocks(2)
                    let endsPost = next.isEmpty || (next.count == 2 && Self.postedOn(next[1].text) != nil)
                    if endsPost {
                        let content = block.bracketContent
                        if Self.linkMarkers.contains(content.lowercased()) {
                            // A link to the rest of the story, not a publisher: the source stays unknown.
                            continued = true
                            if content.lowercased() != "continued" { linkText = content }
                        } else if content.isEmpty {
                            throw CorpusParseError(
                                line: block.firstLine, message: "the closing source line is empty: '[]'")
                        } else {
                            source = content
                        }
                        closed = true
                        break
                    }
                    if body.isEmpty && editorNote == nil {
                        editorNote = block.bracketContent
                        continue
                    }
                }
                body.append(block.text)
            }
            guard closed else {
                throw CorpusParseError(
                    line: lastLine,
                    message: "the post '\(title.prefix(60))' ends without a closing [Source] or [continued] line")
            }
            guard !body.isEmpty else {
                throw CorpusParseError(
                    line: postedBlock.firstLine, message: "the post '\(title.prefix(60))' has no body")
            }
            let post = Post(
                title: title, body: body, category: category, source: source, editorNote: editorNote,
                continued: continued, linkText: linkText, author: posted.author, date: posted.date)
            if let earlier = titles[post.id] {
                throw CorpusParseError(
                    line: titleBlock.firstLine,
                    message: "the title '\(title.prefix(60))' already appeared at line \(earlier) in this category")
            }
            titles[post.id] = titleBlock.firstLine
            posts.append(post)
        }
        guard !posts.isEmpty else {
            throw CorpusParseError(line: header.firstLine, message: "the file has a category but no posts")
        }
        return CorpusFile(category: category, posts: posts)
    }
}

extension StringProtocol {
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        var start = scalars.startIndex
        var end = scalars.endIndex
        while start < end, scalars[start].properties.isWhitespace { start = scalars.index(after: start) }
        while end > start, scalars[scalars.index(before: end)].properties.isWhitespace {
            end = scalars.index(before: end)
        }
        return String(String.UnicodeScalarView(scalars[start..<end]))
    }
}
