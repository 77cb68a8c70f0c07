import Foundation

/// Who may read an annotation. On the wire and in the databases: `shared`, `private` or `group:NAME`.
public enum Visibility: Hashable, Sendable, CustomStringConvertible {
    /// Every researcher on the server.
    case shared
    /// Only its author's replicas.
    case `private`
    /// The members of one research group (and the author).
    case group(String)

    /// Parses `shared`, `private` or `group:NAME` (NAME as ``Visibility/isGroupName(_:)`` allows).
    public init?(rawValue: String) {
        switch rawValue {
        case "shared": self = .shared
        case "private": self = .private
        default:
            guard rawValue.hasPrefix("group:") else { return nil }
            let name = String(rawValue.dropFirst("group:".count))
            guard Self.isGroupName(name) else { return nil }
            self = .group(name)
        }
    }

    public var rawValue: String {
        switch self {
        case .shared: "shared"
        case .private: "private"
        case .group(let name): "group:\(name)"
        }
    }

    public var description: String { rawValue }

    /// A group name: 1 to 64 ASCII letters, digits, `.`, `_` or `-`.
    public static func isGroupName(_ name: String) -> Bool {
        RecordVersion.isPlainIdentifier(name)
    }
}

extension Visibility: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let value = Visibility(rawValue: text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "visibility must be 'shared', 'private' or 'group:NAME'")
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// Where an annotation stands in a post, as the W3C Web Annotation model anchors text:
/// the exact quote with some context before and after, and its position.
public struct Anchor: Codable, Hashable, Sendable {
    /// The quoted text.
    public var exact: String
    /// Up to ``contextLength`` characters before the quote.
    public var prefix: String
    /// Up to ``contextLength`` characters after the quote.
    public var suffix: String
    /// Offset of the first character of the quote in ``Post/text``, in Unicode scalars.
    public var start: Int
    /// Offset just past the quote, in Unicode scalars.
    public var end: Int
    /// The version of the post the anchor was made on (nil for anchors made before it was recorded).
    /// Encoded only when present.
    public var postVersion: VersionVector?

    /// How many characters of context an anchor keeps on each side.
    public static let contextLength = 32

    public init(
        exact: String, prefix: String, suffix: String, start: Int, end: Int, postVersion: VersionVector? = nil
    ) {
        self.exact = exact
        self.prefix = prefix
        self.suffix = suffix
        self.start = start
        self.end = end
        self.postVersion = postVersion
    }

    enum CodingKeys: String, CodingKey { case exact, prefix, suffix, start, end, postVersion }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        exact = try c.decode(String.self, forKey: .exact)
        prefix = try c.decode(String.self, forKey: .prefix)
        suffix = try c.decode(String.self, forKey: .suffix)
        start = try c.decode(Int.self, forKey: .start)
        end = try c.decode(Int.self, forKey: .end)
        postVersion = try c.decodeIfPresent(VersionVector.self, forKey: .postVersion)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(exact, forKey: .exact)
        try c.encode(prefix, forKey: .prefix)
        try c.encode(suffix, forKey: .suffix)
        try c.encode(start, forKey: .start)
        try c.encode(end, forKey: .end)
        try c.encodeIfPresent(postVersion, forKey: .postVersion)
    }
}

/// A researcher's note: on a passage of a post (``anchor``), on the whole post (no anchor: a page note),
/// or a reply to another annotation (``replyTo``, no anchor).
///
/// W3C Web Annotation: a passage note targets the post with selectors, a page note the post itself, and a
/// reply the annotation it answers (motivation `replying`). A reply carries its thread's post id, so it
/// syncs, lists and exports with the post's notes.
public struct Annotation: Codable, Hashable, Sendable {
    public var id: AnnotationID
    public var postId: PostID
    /// The passage the note is on; nil for a note on the whole post and for a reply.
    public var anchor: Anchor?
    /// The annotation this one answers; nil for a note. Never changes once written.
    public var replyTo: AnnotationID?
    public var note: String
    /// Tags, sorted and without duplicates.
    public var tags: [String]
    public var visibility: Visibility
    /// The researcher who created the annotation. The server sets it from the token.
    public var author: String
    /// Informational only: never used to order versions.
    public var createdAt: Date
    /// Informational only: never used to order versions.
    public var updatedAt: Date

    public init(
        id: AnnotationID,
        postId: PostID,
        anchor: Anchor?,
        replyTo: AnnotationID? = nil,
        note: String,
        tags: [String],
        visibility: Visibility,
        author: String,
        createdAt: Date,
        updatedAt: Date
    ) {
        self.id = id
        self.postId = postId
        self.anchor = anchor
        self.replyTo = replyTo
        self.note = note
        self.tags = Annotation.normalisedTags(tags)
        self.visibility = visibility
        self.author = author
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// What the annotation is on.
    public enum Target: Hashable, Sendable {
        /// A passage of the post.
        case passage(Anchor)
        /// The whole post.
        case post
        /// Another annotation.
        case reply(AnnotationID)
    }

    public var target: Target {
        if let replyTo { return .reply(replyTo) }
        if let anchor { return .passage(anchor) }
        return .post
    }

    /// Tags trimmed, sorted, without empty ones or duplicates.
    public static func normalisedTags<S: Sequence>(_ tags: S) -> [String] where S.Element == String {
        Array(Set(tags.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty })).sorted()
    }
}
