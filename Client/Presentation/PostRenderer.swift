import NKProtocol

/// Renders a post for a terminal: wrapped paragraphs with annotated passages marked, then its notes.
///
/// Passages are marked `[1>` … `<1]` where they stand in the post's current text (the notes'
/// re-anchored placements); with `colour` the markers and passages are also coloured with ANSI
/// escapes (for a terminal, not for a pipe). Every text of the post and its notes comes from other
/// people: its control characters are escaped (``TerminalText``) before any colour is added, so the
/// page holds no escape but the renderer's own. An orphaned note is not marked: it is listed with its
/// quote and a clear remark, never attached to another passage.
public struct PostRenderer: Sendable {
    /// Columns to wrap to.
    public var width: Int
    /// Whether to use ANSI colours.
    public var colour: Bool

    public init(width: Int = 78, colour: Bool = false) {
        self.width = max(20, width)
        self.colour = colour
    }

    /// The whole page: header, body, notes.
    public func render(_ detail: PostDetail) -> String {
        let post = detail.post
        let ranges = detail.notes.map(\.range)
        var lines = wrap([.init(text: post.title)]).map { style($0, "1") }
        var facts = ["category: \(post.category)"]
        if let source = post.source { facts.append("source: \(source)") }
        if let author = post.author { facts.append("by \(author)") }
        if let date = post.date { facts.append(date) }
        if let link = post.linkText { facts.append("link: \(link)") }
        lines += wrap([.init(text: facts.joined(separator: " · "))])
        lines.append("id: \(TerminalText.escaped(post.id.rawValue, .singleLine))")
        if let editorNote = post.editorNote {
            lines.append("")
            lines += wrap([.init(text: "[\(editorNote)]")])
        }
        var offset = 0
        for paragraph in post.body {
            let length = paragraph.unicodeScalars.count
            lines.append("")
            lines += wrap(cells(paragraph, from: offset, ranges: ranges))
            offset += length + 2
        }
        lines.append("")
        lines += notesSection(detail.notes, ranges: ranges)
        return lines.joined(separator: "\n")
    }

    private func notesSection(_ notes: [NoteEntry], ranges: [Range<Int>?]) -> [String] {
        guard !notes.isEmpty else { return ["No notes."] }
        var lines = [style("Notes", "1")]
        for (index, note) in notes.enumerated() {
            let indent = String(repeating: "    ", count: min(note.depth, 4))
            var head = "[\(index + 1)] \(Self.inline(note.author)) · \(Self.inline(note.visibility.rawValue))"
            if !note.tags.isEmpty { head += " · tags: " + note.tags.map(Self.inline).joined(separator: ", ") }
            if let editor = note.editedByOther { head += " · edited by \(Self.inline(editor))" }
            if note.conflict { head += " · " + style("CONFLICT", "1;31") }
            if note.rejected != nil { head += " · " + style("REJECTED", "1;31") }
            lines.append("")
            lines.append(indent + style(head, "1;33"))
            let inner = width - 4 - indent.count
            if let quote = note.quote {
                lines += wrap([.init(text: "“\(quote)”")], width: inner).map { indent + "    " + $0 }
            } else if let remark = note.targetRemark {
                lines.append(indent + "    " + style(remark, "2"))
            }
            if let remark = Self.remark(note, placed: ranges[index] != nil) {
                lines += wrap([.init(text: remark)], width: inner).map { indent + "    " + style($0, "2") }
            }
            if !note.note.isEmpty {
                for paragraph in note.note.split(separator: "\n", omittingEmptySubsequences: false) {
                    lines += wrap([.init(text: String(paragraph))], width: inner).map { indent + "    " + $0 }
                }
            }
            if let rejected = note.rejected {
                // Already escaped and on one line each: wrapped as they are.
                for remark in RejectedRemark.lines(rejected) {
                    lines += wrap([.init(text: remark)], width: inner).map { indent + "    " + style($0, "31") }
                }
            }
            lines.append(indent + "    id: \(Self.inline(note.id.rawValue))")
        }
        return lines
    }

    /// What to say about a note whose passage is not where it was made.
    static func remark(_ note: NoteEntry, placed: Bool) -> String? {
        guard let placement = note.placement else { return nil }
        guard placed else { return "(orphaned: passage no longer in the post)" }
        switch note.anchorStatus {
        case .exact: return nil
        case .moved: return "(moved: the post was corrected; the passage now stands elsewhere)"
        case .fuzzy: return "(fuzzy: the post was corrected; the passage now reads “\(placement.exact)”)"
        case .orphaned: return "(orphaned: passage no longer in the post)"
        }
    }

    /// A run of text with one style: plain, highlighted (inside a passage), or a marker.
    struct Cell: Hashable {
        enum Kind: Hashable { case plain, highlighted, marker }
        var text: String
        var kind: Kind = .plain
    }

    /// The paragraph as cells, with markers inserted at the notes' start and end offsets.
    func cells(_ paragraph: String, from start: Int, ranges: [Range<Int>?]) -> [Cell] {
        let scalars = Array(paragraph.unicodeScalars)
        let end = start + scalars.count
        var result: [Cell] = []
        for position in start...end {
            // Close markers before open markers, both in note order.
            for (index, range) in ranges.enumerated() {
                if let range, range.upperBound == position, range.lowerBound < position {
                    result.append(.init(text: "<\(index + 1)]", kind: .marker))
                }
            }
            for (index, range) in ranges.enumerated() {
                if let range, range.lowerBound == position, position < end || range.isEmpty {
                    result.append(.init(text: "[\(index + 1)>", kind: .marker))
                }
            }
            guard position < end else { break }
            let covered = ranges.contains { $0?.contains(position) ?? false }
            result.append(.init(text: String(scalars[position - start]), kind: covered ? .highlighted : .plain))
        }
        return result
    }

    /// Greedy word wrap of cells; spaces break words, markers count as visible text.
    func wrap(_ cells: [Cell], width: Int? = nil) -> [String] {
        let limit = width ?? self.width
        var words: [[Cell]] = []
        var word: [Cell] = []
        // Escaped here, once for every text that is wrapped: newline and tab stay (they break words).
        let escaped = cells.map { $0.kind == .marker ? $0 : Cell(text: TerminalText.escaped($0.text), kind: $0.kind) }
        for cell in escaped.flatMap(Self.split) {
            if cell.text == " " || cell.text == "\n" {
                if !word.isEmpty { words.append(word) }
                word = []
            } else {
                word.append(cell)
            }
        }
        if !word.isEmpty { words.append(word) }
        var lines: [String] = []
        var line: [Cell] = []
        var length = 0
        for word in words {
            let wordLength = word.reduce(0) { $0 + $1.text.unicodeScalars.count }
            if !line.isEmpty && length + 1 + wordLength > limit {
                lines.append(render(line))
                line = []
                length = 0
            }
            if !line.isEmpty {
                // A space inside a passage stays highlighted.
                let kind: Cell.Kind =
                    line.last?.kind == .highlighted && word.first?.kind == .highlighted ? .highlighted : .plain
                line.append(.init(text: " ", kind: kind))
                length += 1
            }
            line += word
            length += wordLength
        }
        if !line.isEmpty { lines.append(render(line)) }
        return lines.isEmpty ? [""] : lines
    }

    private static func split(_ cell: Cell) -> [Cell] {
        guard cell.kind != .marker, cell.text.unicodeScalars.count > 1 else { return [cell] }
        return cell.text.unicodeScalars.map { Cell(text: String($0), kind: cell.kind) }
    }

    private func render(_ line: [Cell]) -> String {
        guard colour else { return line.map(\.text).joined() }
        var output = ""
        var current: Cell.Kind = .plain
        for cell in line {
            if cell.kind != current {
                output += "\u{1B}[0m"
                switch cell.kind {
                case .plain: break
                case .highlighted: output += "\u{1B}[4;33m"
                case .marker: output += "\u{1B}[1;36m"
                }
                current = cell.kind
            }
            output += cell.text
        }
        if current != .plain { output += "\u{1B}[0m" }
        return output
    }

    private static func inline(_ text: String) -> String {
        TerminalText.escaped(text, .singleLine)
    }

    private func style(_ text: String, _ code: String) -> String {
        colour ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }
}
