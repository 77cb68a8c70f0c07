/// Which annotations `notes`, `search` and `export` keep. Every field given must match
/// (case-insensitively); nil fields match everything.
public struct NoteFilter: Hashable, Sendable {
    /// A tag the note carries.
    public var tag: String?
    /// The note's author.
    public var author: String?
    /// The source of the note's post (`Reuters`, `AFP`).
    public var source: String?

    public init(tag: String? = nil, author: String? = nil, source: String? = nil) {
        self.tag = tag
        self.author = author
        self.source = source
    }

    /// True when no field is set.
    public var isEmpty: Bool { tag == nil && author == nil && source == nil }

    static func same(_ lhs: String?, _ rhs: String) -> Bool {
        guard let lhs else { return false }
        return lhs.lowercased() == rhs.lowercased()
    }

    /// Whether a note (its tags and author) on a post with `postSource` matches.
    func matches(tags: [String], author: String, postSource: String?) -> Bool {
        if let tag, !tags.contains(where: { Self.same($0, tag) }) { return false }
        if let wanted = self.author, !Self.same(author, wanted) { return false }
        if let source, !Self.same(postSource, source) { return false }
        return true
    }
}
