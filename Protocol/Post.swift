import Foundation

/// A news post of the corpus.
public struct Post: Codable, Hashable, Sendable {
    /// Stable id, derived from category and title (see ``PostID/derived(category:title:)``).
    public var id: PostID
    public var title: String
    /// Body paragraphs, in order.
    public var body: [String]
    public var category: String
    /// Where the post comes from (`Reuters`, `NY Times`); nil when the dump gives none (a post that ends
    /// with a link marker such as `[Full story]` has no source: see ``linkText``).
    public var source: String?
    /// A bracketed editor's note that stood before the body, without its brackets.
    public var editorNote: String?
    /// True when the dump ended the post with a link marker (`[continued]`, `[Full story]`) instead of a
    /// source: the story goes on elsewhere.
    public var continued: Bool
    /// The link marker's text when it is not `continued` (`Full story`, `Read more`), kept as the
    /// dump wrote it; nil otherwise. Encoded only when present.
    public var linkText: String?
    public var author: String?
    public var date: String?
    public var url: String?

    public init(
        id: PostID? = nil,
        title: String,
        body: [String],
        category: String,
        source: String? = nil,
        editorNote: String? = nil,
        continued: Bool = false,
        linkText: String? = nil,
        author: String? = nil,
        date: String? = nil,
        url: String? = nil
    ) {
        self.id = id ?? PostID.derived(category: category, title: title)
        self.title = title
        self.body = body
        self.category = category
        self.source = source
        self.editorNote = editorNote
        self.continued = continued
        self.linkText = linkText
        self.author = author
        self.date = date
        self.url = url
    }

    /// The text annotations anchor to: the body paragraphs joined by a blank line.
    /// Character offsets of an ``Anchor`` count Unicode scalars of this text.
    public var text: String { body.joined(separator: "\n\n") }

    enum CodingKeys: String, CodingKey {
        case id, title, body, category, source, editorNote, continued, linkText, author, date, url
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(PostID.self, forKey: .id)
        title = try c.decode(String.self, forKey: .title)
        body = try c.decode([String].self, forKey: .body)
        category = try c.decode(String.self, forKey: .category)
        source = try c.decodeIfPresent(String.self, forKey: .source)
        editorNote = try c.decodeIfPresent(String.self, forKey: .editorNote)
        continued = try c.decodeIfPresent(Bool.self, forKey: .continued) ?? false
        linkText = try c.decodeIfPresent(String.self, forKey: .linkText)
        author = try c.decodeIfPresent(String.self, forKey: .author)
        date = try c.decodeIfPresent(String.self, forKey: .date)
        url = try c.decodeIfPresent(String.self, forKey: .url)
    }
}
