import NKProtocol

/// A line of `nkclient posts`.
public struct PostSummary: Encodable, Hashable, Sendable {
    public var id: PostID
    public var title: String
    public var source: String?
    public var category: String
    /// The date of the byline, as the dump wrote it.
    public var date: String?

    public init(id: PostID, title: String, source: String?, category: String, date: String? = nil) {
        self.id = id
        self.title = title
        self.source = source
        self.category = category
        self.date = date
    }

    enum CodingKeys: String, CodingKey { case id, title, source, category, date }

    /// `{"id","title","source","category","date"}`, with `source` and `date` null when the post has none.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(title, forKey: .title)
        try c.encode(source, forKey: .source)
        try c.encode(category, forKey: .category)
        try c.encode(date, forKey: .date)
    }
}

/// Which posts `nkclient posts` lists.
public struct PostFilter: Hashable, Sendable {
    /// Only posts of this category (in any case).
    public var category: String?
    /// Only posts from this source (in any case).
    public var source: String?
    /// Only posts that carry at least one note.
    public var annotated: Bool

    public init(category: String? = nil, source: String? = nil, annotated: Bool = false) {
        self.category = category
        self.source = source
        self.annotated = annotated
    }
}
