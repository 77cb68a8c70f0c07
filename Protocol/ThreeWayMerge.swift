/// Three-way merges of sequences (a post's paragraphs) and of posts, as an import merges a changed
/// dump into a post researchers corrected (docs/DESIGN.md, "Imports respect corrections").
///
/// Each side's changes against the common base are found as hunks (a range of the base replaced by
/// new elements, from the standard library's `difference(from:)`). Hunks of the two sides that
/// touch different elements of the base apply together; two that overlap, or insert at the same
/// place, merge only when they are the same change. Otherwise there is no merge: the caller keeps
/// both versions as a conflict, and nothing is lost.
public enum ThreeWayMerge {
    /// One side's change to the base: `base[range]` replaced by `replacement`.
    public struct Hunk<Element: Equatable>: Equatable {
        public var range: Range<Int>
        public var replacement: [Element]
    }

    /// The merge of `ours` and `theirs`, both made from `base`; nil when their changes overlap.
    public static func merge<Element: Hashable>(base: [Element], ours: [Element], theirs: [Element]) -> [Element]? {
        if ours == theirs { return ours }
        if ours == base { return theirs }
        if theirs == base { return ours }
        let all = (hunks(from: base, to: ours).map { ($0, 0) } + hunks(from: base, to: theirs).map { ($0, 1) })
            .sorted {
                ($0.0.range.lowerBound, $0.0.range.upperBound, $0.1) < (
                    $1.0.range.lowerBound, $1.0.range.upperBound, $1.1
                )
            }
        var merged: [Element] = []
        var position = 0
        var previous: (hunk: Hunk<Element>, side: Int)?
        for (hunk, side) in all {
            if let last = previous {
                if overlap(last.hunk.range, hunk.range) {
                    // The same change made on both sides is one change.
                    guard last.side != side, last.hunk == hunk else { return nil }
                    continue
                }
            }
            merged.append(contentsOf: base[position..<hunk.range.lowerBound])
            merged.append(contentsOf: hunk.replacement)
            position = hunk.range.upperBound
            previous = (hunk, side)
        }
        merged.append(contentsOf: base[position...])
        return merged
    }

    /// Two base ranges touch the same place: they share an element, or they insert at one point
    /// (an empty range) inside or at the edge of the other.
    static func overlap(_ a: Range<Int>, _ b: Range<Int>) -> Bool {
        if a.isEmpty || b.isEmpty {
            let (point, other) = a.isEmpty ? (a.lowerBound, b) : (b.lowerBound, a)
            return other.isEmpty ? point == other.lowerBound : (other.lowerBound...other.upperBound).contains(point)
        }
        return a.lowerBound < b.upperBound && b.lowerBound < a.upperBound
    }

    /// The changes from `base` to `changed`, in base order.
    public static func hunks<Element: Hashable>(from base: [Element], to changed: [Element]) -> [Hunk<Element>] {
        let (removed, inserted) = changed.changedOffsets(from: base)
        var hunks: [Hunk<Element>] = []
        var i = 0
        var j = 0
        while i < base.count || j < changed.count {
            if i < base.count, j < changed.count, !removed.contains(i), !inserted.contains(j) {
                i += 1
                j += 1
                continue
            }
            let start = i
            var replacement: [Element] = []
            while (i < base.count && removed.contains(i)) || (j < changed.count && inserted.contains(j)) {
                if i < base.count, removed.contains(i) { i += 1 }
                if j < changed.count, inserted.contains(j) {
                    replacement.append(changed[j])
                    j += 1
                }
            }
            hunks.append(Hunk(range: start..<i, replacement: replacement))
        }
        return hunks
    }
}

extension Array where Element: Hashable {
    /// The offsets of `base` this array removed and the offsets of its own elements it inserted,
    /// by the standard library's `difference(from:)`.
    func changedOffsets(from base: [Element]) -> (removed: Set<Int>, inserted: Set<Int>) {
        var removed = Set<Int>()
        var inserted = Set<Int>()
        for change in difference(from: base) {
            switch change {
            case .remove(let offset, _, _): removed.insert(offset)
            case .insert(let offset, _, _): inserted.insert(offset)
            }
        }
        return (removed, inserted)
    }
}

extension Post {
    /// The three-way merge of two posts made from `base`: the paragraphs by ``ThreeWayMerge``,
    /// every other field as a whole (taken from the side that changed it). Nil when both sides
    /// changed one field differently or touched the same paragraphs. The id is `ours`'s.
    public static func merge(base: Post, ours: Post, theirs: Post) -> Post? {
        guard let body = ThreeWayMerge.merge(base: base.body, ours: ours.body, theirs: theirs.body) else {
            return nil
        }
        var merged = ours
        merged.body = body
        var clean = true
        func field<Value: Equatable>(_ path: WritableKeyPath<Post, Value>) {
            let (b, o, t) = (base[keyPath: path], ours[keyPath: path], theirs[keyPath: path])
            if o == t || t == b { return }
            if o == b {
                merged[keyPath: path] = t
            } else {
                clean = false
            }
        }
        // Every stored field but id and body; `PostMergeTests` checks that none is forgotten.
        field(\.title)
        field(\.category)
        field(\.source)
        field(\.editorNote)
        field(\.continued)
        field(\.linkText)
        field(\.author)
        field(\.date)
        field(\.url)
        return clean ? merged : nil
    }
}
