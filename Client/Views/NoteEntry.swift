import Foundation
import NKProtocol

/// One annotation as `nkclient notes` and `nkclient read` show it: the fields of its first
/// non-deleted sibling, and where its passage stands in the post's current text.
public struct NoteEntry: Encodable, Hashable, Sendable {
    public var id: AnnotationID
    public var postId: PostID
    public var author: String
    public var visibility: Visibility
    /// The anchor as it was made (its quote is the one the author chose); nil for a note on the whole
    /// post and for a reply.
    public var anchor: Anchor?
    /// The annotation this one answers; nil for a note.
    public var replyTo: AnnotationID?
    /// In thread order (``Replica/threaded(_:)``): 0 for a note, 1 for a reply to it, and so on.
    public var depth = 0
    /// A reply whose parent is not listed with it: deleted (`parentDeleted`), or left out by a filter
    /// or never readable here.
    public var parentMissing = false
    /// A reply whose parent is deleted: the reply stays readable.
    public var parentDeleted = false
    public var note: String
    public var tags: [String]
    /// The version vector of the sibling shown.
    public var version: VersionVector
    /// True when the annotation has more than one sibling.
    public var conflict: Bool
    /// How the anchor was found in the post's current text (``Anchor/reanchored(in:)``); `exact` for
    /// a note without a passage.
    public var anchorStatus: AnchorStatus
    /// Where the passage stands now: the re-anchored anchor when `moved` or `fuzzy`, the stored one
    /// when `exact` or `orphaned` (an orphaned placement points nowhere and is never marked); nil
    /// without a passage.
    public var placement: Anchor?
    /// Who wrote the version shown (the server stamps it; for a local version not yet pushed, this
    /// replica's user). Nil only for versions held before editors were recorded.
    public var editor: String?
    /// When the annotation was created and when the version shown was written (the server's clock
    /// once pushed; informational, never used to order anything).
    public var created: Date
    public var modified: Date
    /// The user's change of this annotation that the server refused, while it is outstanding.
    /// When the server holds no version of the annotation, the entry shows the rejected version itself.
    public var rejected: RejectedChange?

    /// An entry whose anchor is placed as `placement` says (nil: exactly where it was made).
    public init(
        annotation: Annotation, version: VersionVector, conflict: Bool, placement: Reanchoring? = nil,
        editor: String? = nil
    ) {
        id = annotation.id
        postId = annotation.postId
        author = annotation.author
        visibility = annotation.visibility
        anchor = annotation.anchor
        replyTo = annotation.replyTo
        note = annotation.note
        tags = annotation.tags
        self.version = version
        self.conflict = conflict
        anchorStatus = placement?.status ?? .exact
        self.placement = placement?.anchor ?? annotation.anchor
        self.editor = editor
        created = annotation.createdAt
        modified = annotation.updatedAt
    }

    /// The last editor, when it is someone other than the author.
    public var editedByOther: String? {
        guard let editor, editor != author else { return nil }
        return editor
    }

    /// The quoted text, as the author chose it; nil without a passage.
    public var quote: String? { anchor?.exact }

    /// What the note is on: `passage`, `post` (the whole post) or `reply`.
    public var target: String {
        replyTo != nil ? "reply" : (anchor == nil ? "post" : "passage")
    }

    /// What a listing says instead of a quote for a note without a passage: `(on the whole post)`, or
    /// for a reply `↳ reply`, `↳ reply to a deleted note` or `↳ reply to a note not shown`; nil for a
    /// note on a passage.
    public var targetRemark: String? {
        guard anchor == nil else { return nil }
        guard replyTo != nil else { return "(on the whole post)" }
        if parentDeleted { return "↳ reply to a deleted note" }
        return parentMissing ? "↳ reply to a note not shown" : "↳ reply"
    }

    /// The passage's range in the post's current text (Unicode scalar offsets); nil when orphaned or
    /// without a passage.
    public var range: Range<Int>? {
        guard anchorStatus != .orphaned, let placement, placement.start >= 0, placement.end >= placement.start
        else { return nil }
        return placement.start..<placement.end
    }

    enum CodingKeys: String, CodingKey {
        case id, postId, author, visibility, quote, note, tags, version, conflict, anchor, editor, created, modified
        case rejected, target, replyTo, depth, parentDeleted
    }

    /// `{"id","postId","author","visibility","target","replyTo","depth","parentDeleted","quote","note","tags",
    /// "version","conflict","anchor","editor","created","modified","rejected"}`; `target` is `passage`,
    /// `post` (a note on the whole post) or `reply`; `replyTo` the id answered, or null; `quote` null
    /// without a passage; `anchor` is the status: `exact`, `moved`, `fuzzy` or `orphaned`, null without
    /// a passage; `editor` null only for versions held before editors were recorded; `rejected` null, or
    /// the outstanding rejected change (``RejectedChange``).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(postId, forKey: .postId)
        try c.encode(author, forKey: .author)
        try c.encode(visibility, forKey: .visibility)
        try c.encode(target, forKey: .target)
        try c.encode(replyTo, forKey: .replyTo)
        try c.encode(depth, forKey: .depth)
        try c.encode(parentDeleted, forKey: .parentDeleted)
        try c.encode(quote, forKey: .quote)
        try c.encode(note, forKey: .note)
        try c.encode(tags, forKey: .tags)
        try c.encode(version, forKey: .version)
        try c.encode(conflict, forKey: .conflict)
        try c.encode(anchor == nil ? nil : anchorStatus, forKey: .anchor)
        try c.encode(editor, forKey: .editor)
        try c.encode(created, forKey: .created)
        try c.encode(modified, forKey: .modified)
        try c.encode(rejected, forKey: .rejected)
    }
}
