import Foundation
import NKProtocol

/// What a pulled version did to the replica, as `nkclient log` lists it.
public enum SyncLogAction: String, Codable, Hashable, Sendable, CaseIterable {
    /// The first version of a record this replica holds.
    case added
    /// A version that replaced the one version held.
    case edited
    /// A tombstone.
    case deleted
    /// A version that replaced two or more siblings: a conflict was settled.
    case resolved
    /// A version kept beside concurrent ones: the record is now in conflict.
    case conflict
    /// The user may no longer read the record: what the hidden version dominates was dropped.
    case hidden
}

/// One line of the sync log: a change a sync brought into this replica.
public struct SyncLogEntry: Codable, Hashable, Sendable {
    /// When the change was applied (this replica's clock).
    public var at: Date
    /// The sync that brought it (the same for every entry of one `nkclient sync`).
    public var syncId: String
    public var action: SyncLogAction
    public var type: RecordType
    public var id: String
    /// The post, for a post or an annotation.
    public var postId: String?
    /// The post's title.
    public var title: String?
    /// Who wrote the version (nil for hidden entries).
    public var editor: String?
    /// The beginning of the note, for annotations.
    public var excerpt: String?

    public init(
        at: Date, syncId: String, action: SyncLogAction, type: RecordType, id: String, postId: String? = nil,
        title: String? = nil, editor: String? = nil, excerpt: String? = nil
    ) {
        self.at = at
        self.syncId = syncId
        self.action = action
        self.type = type
        self.id = id
        self.postId = postId
        self.title = title
        self.editor = editor
        self.excerpt = excerpt
    }
}
