import Foundation
import NKProtocol

/// A local change the server refused and the user has not settled yet, as `nkclient rejected`
/// lists it and `notes`, `read` and `search` mark it: the version as it was written, the server's
/// reason, and what to do.
public struct RejectedChange: Encodable, Hashable, Sendable {
    public var type: RecordType
    public var id: String
    /// The annotation's post, or the post itself.
    public var postId: PostID?
    /// The post's title, when the replica holds the post.
    public var title: String?
    /// The server's stable code (`forbidden`, `unknown_group`, ...).
    public var code: ErrorCode
    /// The server's message.
    public var message: String
    public var rejectedAt: Date?
    /// True when the rejected change was a delete.
    public var deleted: Bool
    /// The annotation's note, tags, visibility and quote as the user wrote them (annotations only).
    public var note: String?
    public var tags: [String]?
    public var visibility: Visibility?
    public var quote: String?
    /// The vector the rejected version was pushed with.
    public var version: VersionVector
    /// True when the server holds another version of the record (the one before the rejected edit),
    /// which the replica keeps and shows.
    public var serverHasRecord: Bool
    /// What to do, as one line of commands.
    public var fix: String

    init(_ rejected: RejectedVersion, title: String?, serverHasRecord: Bool) {
        let version = rejected.version
        type = version.type
        id = version.id
        code = rejected.code
        message = rejected.message
        rejectedAt = rejected.rejectedAt
        deleted = version.deleted
        self.version = version.version
        self.serverHasRecord = serverHasRecord
        self.title = title
        switch version.body {
        case .annotation(let annotation):
            postId = annotation.postId
            note = annotation.note
            tags = annotation.tags
            visibility = annotation.visibility
            quote = annotation.anchor?.exact
        case .post(let post):
            postId = post.id
        }
        fix = Self.fix(type: type, id: id, code: rejected.code)
    }

    /// What to do about a change of `type` rejected with `code`, naming the commands with the id's
    /// first eight characters (the prefix `notes` shows).
    public static func fix(type: RecordType, id: String, code: ErrorCode) -> String {
        let short = String(id.prefix(8))
        let discard = "or drop it with nkclient discard \(short)"
        guard type == .annotation else {
            return "correct it with nkclient post edit \(short) and sync again, \(discard)"
        }
        switch code {
        case .unknownGroup, .forbidden:
            return "choose a group you belong to (nkclient edit \(short) --visibility group:NAME, or shared or "
                + "private) and sync again, \(discard)"
        case .quoteNotFound, .unknownPost:
            return "the post on the server does not hold the passage: write the note again on the post as it "
                + "now reads, then \(discard.dropFirst(3))"
        case .unknownParent:
            return "the note this reply answers was deleted, or is not one you can read: keep your words by "
                + "writing them as a note (nkclient annotate), then \(discard.dropFirst(3))"
        case .unknownCausality:
            return "the server does not hold the versions this edit was made on: nkclient edit \(short) writes "
                + "it again on what the server holds, \(discard)"
        default:
            return "change it with nkclient edit \(short) and sync again, \(discard)"
        }
    }

    enum CodingKeys: String, CodingKey {
        case type, id, postId, title, code, message, rejectedAt, deleted, note, tags, visibility, quote, version
        case serverHasRecord, fix
    }

    /// `{"type","id","postId","title","code","message","rejectedAt","deleted","note","tags","visibility",
    /// "quote","version","serverHasRecord","fix"}`; the annotation fields are null for a post.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(type, forKey: .type)
        try c.encode(id, forKey: .id)
        try c.encode(postId, forKey: .postId)
        try c.encode(title, forKey: .title)
        try c.encode(code, forKey: .code)
        try c.encode(message, forKey: .message)
        try c.encode(rejectedAt, forKey: .rejectedAt)
        try c.encode(deleted, forKey: .deleted)
        try c.encode(note, forKey: .note)
        try c.encode(tags, forKey: .tags)
        try c.encode(visibility, forKey: .visibility)
        try c.encode(quote, forKey: .quote)
        try c.encode(version, forKey: .version)
        try c.encode(serverHasRecord, forKey: .serverHasRecord)
        try c.encode(fix, forKey: .fix)
    }
}
