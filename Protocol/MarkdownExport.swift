import Foundation

/// Exports annotations as Markdown (CommonMark), ready to paste into a paper.
///
/// One section per post that has annotations, posts ordered by category, title, then id:
///
/// ```
/// # Title
///
/// Category: China · Source: Reuters · Author: Lee Min-ji · Date: 2 May 2024
///
/// > the quoted passage
///
/// The note.
///
/// Tags: sanctions, trade\
/// — alice · group north\
/// (moved: the post was corrected; the passage now stands elsewhere in it)
/// ```
///
/// A note on the whole post says so instead of quoting; each reply follows the note it answers, marked
/// `↳ Reply:` (one arrow per level). The line under each note names its author and who may see it (`shared`, `group NAME`,
/// `private`); each version of an annotation in conflict is exported, marked (``ConflictVersion``).
/// Annotations follow in text order (start, end, then id, then version); orphaned ones, whose offsets no longer mean
/// anything, come last. Annotations of posts that are not given get a section of their own per post id
/// at the end, so nothing is dropped. User text is escaped so it cannot break the structure: Markdown
/// punctuation is backslash-escaped, block markers at the start of a line (`#`, `>`, `-`, `+`, `=`, `1.`)
/// are neutralised, indentation is dropped (it would make a code block), and line breaks inside a
/// paragraph become hard breaks. Every line of a multi-line quote stays inside its blockquote.
public enum MarkdownExport {
    /// The Markdown document.
    ///
    /// - Parameters:
    ///   - posts: the posts to cite (a post that appears twice is used once).
    ///   - annotations: the annotations to export, with their anchors already placed in the posts' current
    ///     text (``Anchor/reanchored(in:)``); the quote printed is ``Anchor/exact``.
    ///   - statuses: how each anchor was found; a missing entry counts as `exact`. Every status but `exact`
    ///     is noted under its annotation.
    /// - Returns: the document, ending with a newline; empty when there are no annotations.
    public static func document(
        posts: [Post], annotations: [Annotation], statuses: [AnnotationID: AnchorStatus]
    ) -> String {
        document(posts: posts, exported: annotations.map { ExportedAnnotation($0) }, statuses: statuses)
    }

    /// The Markdown document of annotations that may be in conflict (every version given, each marked).
    public static func document(
        posts: [Post], exported annotations: [ExportedAnnotation], statuses: [AnnotationID: AnchorStatus]
    ) -> String {
        var postsByID: [PostID: Post] = [:]
        for post in posts where postsByID[post.id] == nil { postsByID[post.id] = post }
        let byPost = Dictionary(grouping: annotations, by: \.annotation.postId)
        let known = byPost.keys.compactMap { postsByID[$0] }.sorted {
            if $0.category != $1.category { return $0.category < $1.category }
            if $0.title != $1.title { return $0.title < $1.title }
            return $0.id < $1.id
        }
        let unknown = byPost.keys.filter { postsByID[$0] == nil }.sorted()
        var sections: [String] = []
        for post in known {
            sections.append(section(heading: heading(post), annotations: byPost[post.id] ?? [], statuses: statuses))
        }
        for id in unknown {
            let heading = ["# A post not held here (\(escapedInline(id.rawValue)))"]
            sections.append(section(heading: heading, annotations: byPost[id] ?? [], statuses: statuses))
        }
        return sections.isEmpty ? "" : sections.joined(separator: "\n\n") + "\n"
    }

    /// The note printed under an annotation whose anchor is not exact.
    static func statusNote(_ status: AnchorStatus) -> String? {
        switch status {
        case .exact: nil
        case .moved: "(moved: the post was corrected; the passage now stands elsewhere in it)"
        case .fuzzy: "(fuzzy: the post was corrected; the quote shows the passage as it now reads)"
        case .orphaned: "(orphaned: this passage is no longer in the post)"
        }
    }

    private static func heading(_ post: Post) -> [String] {
        let title = post.title.split(whereSeparator: \.isNewline).joined(separator: " ")
        var blocks = ["# " + escapedInline(title).replacingOccurrences(of: "#", with: "\\#")]
        var facts = ["Category: " + escapedInline(post.category)]
        if let source = post.source, !source.isEmpty { facts.append("Source: " + escapedInline(source)) }
        if post.continued { facts.append("Continued elsewhere") }
        if let author = post.author, !author.isEmpty { facts.append("Author: " + escapedInline(author)) }
        if let date = post.date, !date.isEmpty { facts.append("Date: " + escapedInline(date)) }
        var line = facts.map { $0.split(whereSeparator: \.isNewline).joined(separator: " ") }.joined(separator: " · ")
        if let url = post.url, !url.isEmpty {
            let linkable =
                url.contains(":")
                && !url.unicodeScalars.contains { $0.properties.isWhitespace || "<>".unicodeScalars.contains($0) }
            line += "\\\nURL: " + (linkable ? "<\(url)>" : escapedInline(url))
        }
        blocks.append(line)
        return blocks
    }

    private static func section(
        heading: [String], annotations: [ExportedAnnotation], statuses: [AnnotationID: AnchorStatus]
    ) -> String {
        let ordered = annotations.sorted { lhsEntry, rhsEntry in
            let (lhs, rhs) = (lhsEntry.annotation, rhsEntry.annotation)
            let lhsOrphaned = statuses[lhs.id] == .orphaned
            let rhsOrphaned = statuses[rhs.id] == .orphaned
            if lhsOrphaned != rhsOrphaned { return rhsOrphaned }
            let (lhsStart, rhsStart) = (lhs.anchor?.start ?? -1, rhs.anchor?.start ?? -1)
            if lhsStart != rhsStart { return lhsStart < rhsStart }
            let (lhsEnd, rhsEnd) = (lhs.anchor?.end ?? -1, rhs.anchor?.end ?? -1)
            if lhsEnd != rhsEnd { return lhsEnd < rhsEnd }
            if lhs.id != rhs.id { return lhs.id < rhs.id }
            return (lhsEntry.conflict?.index ?? 0) < (rhsEntry.conflict?.index ?? 0)
        }
        var blocks = heading
        for threaded in AnnotationThreads.ordered(ordered, annotation: \.annotation) {
            let entry = threaded.item
            let annotation = entry.annotation
            switch annotation.target {
            case .passage(let anchor): blocks.append(blockquote(anchor.exact))
            case .post: blocks.append("On the whole post:")
            case .reply:
                let arrows = String(repeating: "↳ ", count: max(1, threaded.depth))
                blocks.append(arrows + (threaded.parentMissing ? "Reply to a note not in this export:" : "Reply:"))
            }
            let note = paragraphs(annotation.note)
            if !note.isEmpty { blocks.append(note.joined(separator: "\n\n")) }
            var footer: [String] = []
            if !annotation.tags.isEmpty {
                footer.append("Tags: " + annotation.tags.map { escapedLine($0) }.joined(separator: ", "))
            }
            let visibility = escapedInline(annotation.visibility.label)
            footer.append(
                annotation.author.isEmpty ? visibility : "— \(escapedLine(annotation.author)) · \(visibility)")
            if let conflict = entry.conflict { footer.append("(\(escapedInline(conflict.remark)))") }
            if let note = statusNote(statuses[annotation.id] ?? .exact) { footer.append(note) }
            if !footer.isEmpty { blocks.append(footer.joined(separator: "\\\n")) }
        }
        return blocks.joined(separator: "\n\n")
    }

    /// The text as a blockquote: every line starts with `>`, paragraphs are separated by a lone `>`.
    static func blockquote(_ text: String) -> String {
        let body = paragraphs(text)
        guard !body.isEmpty else { return ">" }
        return body.map { paragraph in
            paragraph.split(separator: "\n", omittingEmptySubsequences: false).map { "> " + $0 }.joined(
                separator: "\n")
        }.joined(separator: "\n>\n")
    }

    /// The text's paragraphs (separated by blank lines), each escaped, with its line breaks made hard.
    static func paragraphs(_ text: String) -> [String] {
        let normalised = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        var result: [String] = []
        var current: [String] = []
        for line in normalised.split(separator: "\n", omittingEmptySubsequences: false) {
            let escaped = escapedLine(String(line))
            if escaped.isEmpty {
                if !current.isEmpty { result.append(current.joined(separator: "\\\n")) }
                current = []
            } else {
                current.append(escaped)
            }
        }
        if !current.isEmpty { result.append(current.joined(separator: "\\\n")) }
        return result
    }

    /// One line of user text: trimmed, inline punctuation escaped, and a block marker at its start
    /// (heading, list item, setext underline, thematic break) neutralised.
    static func escapedLine(_ line: String) -> String {
        var text = escapedInline(line.trimmingWhitespace())
        if let first = text.unicodeScalars.first, "#+-=".unicodeScalars.contains(first) {
            text = "\\" + text
        }
        // An ordered list marker: up to nine digits, then `.` or `)`.
        let digits = text.unicodeScalars.prefix { $0.properties.numericType == .decimal && $0.isASCII }
        if !digits.isEmpty, digits.count <= 9 {
            let rest = text.unicodeScalars.dropFirst(digits.count)
            if let marker = rest.first, marker == "." || marker == ")" {
                text = String(String.UnicodeScalarView(digits)) + "\\" + String(String.UnicodeScalarView(rest))
            }
        }
        return text
    }

    /// Backslash-escapes the punctuation that makes emphasis, code, links, HTML, tables, strikethrough or
    /// a blockquote, and an `&` that would start an entity.
    static func escapedInline(_ text: String) -> String {
        let scalars = Array(text.unicodeScalars)
        var result = String.UnicodeScalarView()
        for (index, scalar) in scalars.enumerated() {
            if "\\`*_[]<>|~".unicodeScalars.contains(scalar) {
                result.append("\\")
            } else if scalar == "&", startsEntity(scalars[(index + 1)...]) {
                result.append("\\")
            }
            result.append(scalar)
        }
        return String(result)
    }

    /// Whether the text after an `&` reads as an entity: `#123;`, `#x1F;` or a name and `;`.
    private static func startsEntity(_ rest: ArraySlice<Unicode.Scalar>) -> Bool {
        let body = rest.prefix {
            $0.isASCII && ($0.properties.isAlphabetic || $0.properties.numericType != nil || $0 == "#")
        }
        guard !body.isEmpty, body.count <= 32 else { return false }
        return rest.dropFirst(body.count).first == ";"
    }
}
