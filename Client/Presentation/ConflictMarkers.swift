import NKProtocol

/// A post in conflict as one text for an editor, its differences marked as git marks a merge.
enum ConflictMarkers {
    static let start = "<<<<<<<"
    static let middle = "======="
    static let end = ">>>>>>>"

    /// The versions (in sibling order, with who wrote each) in the dump format of one post. With two
    /// versions that differ only in their paragraphs, shared paragraphs appear once and each
    /// differing run is marked; otherwise each version's whole text is a block of its own.
    static func text(of posts: [Post], editors: [String?]) -> String {
        func label(_ index: Int) -> String {
            "version \(index)" + (editors[index].map { " (\($0))" } ?? " (not pushed)")
        }
        if posts.count == 2 {
            var (a, b) = (posts[0], posts[1])
            let (bodyA, bodyB) = (a.body, b.body)
            (a.body, b.body) = ([], [])
            if a == b {
                var blocks: [String] = []
                var position = 0
                for hunk in ThreeWayMerge.hunks(from: bodyA, to: bodyB) {
                    blocks += bodyA[position..<hunk.range.lowerBound]
                    blocks.append(
                        ([start + " " + label(0)] + bodyA[hunk.range].map { $0 } + [middle]).joined(separator: "\n\n")
                            + "\n\n" + (hunk.replacement + [end + " " + label(1)]).joined(separator: "\n\n"))
                    position = hunk.range.upperBound
                }
                blocks += bodyA[position...]
                var merged = posts[0]
                merged.body = blocks
                return PostDump.text(of: merged)
            }
        }
        var text = start + " " + label(0) + "\n"
        for (index, post) in posts.enumerated() {
            if index > 0 { text += middle + " " + label(index) + "\n" }
            text += PostDump.text(of: post)
        }
        return text + end + "\n"
    }

    /// The number of the first line that starts with a conflict marker, if any.
    static func firstMarkerLine(in text: String) -> Int? {
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
        where line.hasPrefix(start) || line.hasPrefix(middle) || line.hasPrefix(end) {
            return index + 1
        }
        return nil
    }
}
