import Foundation
import NKProtocol

/// Which annotations `nkclient export` writes. Every field given must match; nil matches everything.
public struct ExportFilter: Hashable, Sendable {
    /// Only the notes of this post (id or unique prefix).
    public var post: String?
    /// A tag the note carries (case-insensitively).
    public var tag: String?
    /// Who may see the note.
    public var visibility: Visibility?
    /// The note's author (case-insensitively).
    public var author: String?
    /// Only notes modified at or after this time.
    public var since: Date?

    public init(
        post: String? = nil, tag: String? = nil, visibility: Visibility? = nil, author: String? = nil,
        since: Date? = nil
    ) {
        self.post = post
        self.tag = tag
        self.visibility = visibility
        self.author = author
        self.since = since
    }

    /// Whether one version of a note matches (the post is chosen before).
    func matches(_ annotation: Annotation) -> Bool {
        if let tag, !annotation.tags.contains(where: { NoteFilter.same($0, tag) }) { return false }
        if let visibility, annotation.visibility != visibility { return false }
        if let author, !NoteFilter.same(annotation.author, author) { return false }
        if let since, annotation.updatedAt < since { return false }
        return true
    }
}
