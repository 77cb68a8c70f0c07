import NKProtocol

/// A line of `nkclient posts`.
public struct PostSummary: Encodable, Hashable, Sendable {
    public var id: PostID
    public var title: String
    public var source: String?
    public var category: String

    public init(id: PostID, title: String, source: String?, category: String) {
        self.id = id
        self.title = title
        self.source = source
        self.category = category
    }

    enum CodingKeys: String, CodingKey { case id, title, source, category }

    /// `{"id","title","source","category"}`, with `source` null when the post has none.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(title, forKey: .title)
        try c.encode(source, forKey: .source)
        try c.encode(category, forKey: .category)
    }
}
