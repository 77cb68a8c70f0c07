import Foundation

/// A word diff of two texts, as `git diff --word-diff=plain` shows one: words removed as
/// `[-…-]`, words added as `{+…+}`, the rest as it was. Words are runs of characters between white
/// space; paragraphs are kept apart by a line break.
public struct WordDiff: Hashable, Sendable {
    public enum Segment: Hashable, Sendable {
        case same(String)
        case removed(String)
        case added(String)
    }

    public var segments: [Segment]

    /// The diff from `old` to `new`, with runs of one kind joined into one segment.
    public init(from old: String, to new: String) {
        let before = Self.words(old)
        let after = Self.words(new)
        let (removed, inserted) = after.changedOffsets(from: before)
        var segments: [Segment] = []
        func add(_ segment: Segment) {
            switch (segments.last, segment) {
            case (.same(let a), .same(let b)): segments[segments.count - 1] = .same(a + " " + b)
            case (.removed(let a), .removed(let b)): segments[segments.count - 1] = .removed(a + " " + b)
            case (.added(let a), .added(let b)): segments[segments.count - 1] = .added(a + " " + b)
            default: segments.append(segment)
            }
        }
        var i = 0
        var j = 0
        while i < before.count || j < after.count {
            if i < before.count, removed.contains(i) {
                add(.removed(before[i]))
                i += 1
            } else if j < after.count, inserted.contains(j) {
                add(.added(after[j]))
                j += 1
            } else if i < before.count, j < after.count {
                add(.same(before[i]))
                i += 1
                j += 1
            } else {
                break
            }
        }
        self.segments = segments
    }

    /// Whether the texts have the same words.
    public var isEmpty: Bool {
        segments.allSatisfy { if case .same = $0 { true } else { false } }
    }

    /// The words of a text; a paragraph break is a word of its own, `¶`, so a diff shows where
    /// paragraphs begin without running them together.
    static func words(_ text: String) -> [String] {
        var words: [String] = []
        for (index, paragraph) in text.components(separatedBy: "\n\n").enumerated() {
            if index > 0 { words.append("¶") }
            words.append(contentsOf: paragraph.split(whereSeparator: \.isWhitespace).map(String.init))
        }
        return words
    }

    /// The diff as plain text: `[-removed-]`, `{+added+}`. `context` words of unchanged text are kept
    /// around each change, the rest shortened to `…` (nil keeps everything).
    public func plain(context: Int? = nil) -> String {
        var parts: [String] = []
        for (index, segment) in segments.enumerated() {
            switch segment {
            case .removed(let words): parts.append("[-" + words + "-]")
            case .added(let words): parts.append("{+" + words + "+}")
            case .same(let words):
                guard let context else {
                    parts.append(words)
                    continue
                }
                let list = words.split(separator: " ", omittingEmptySubsequences: true)
                let keepBefore = index > 0 ? context : 0
                let keepAfter = index < segments.count - 1 ? context : 0
                if list.count <= keepBefore + keepAfter + 1 {
                    parts.append(words)
                } else {
                    let head = list.prefix(keepBefore).joined(separator: " ")
                    let tail = list.suffix(keepAfter).joined(separator: " ")
                    parts.append([head, "…", tail].filter { !$0.isEmpty }.joined(separator: " "))
                }
            }
        }
        return parts.joined(separator: " ")
    }
}
