import NKProtocol

/// A post with its notes, as `nkclient read` shows it.
public struct PostDetail: Encodable, Hashable, Sendable {
    public var post: Post
    /// The post's annotations (deleted ones left out), in the order of their position in the text.
    public var notes: [NoteEntry]
    /// Set when the post is in conflict: how many versions it has and which one is shown.
    public var conflict: PostConflict?

    public init(post: Post, notes: [NoteEntry], conflict: PostConflict? = nil) {
        self.post = post
        self.notes = notes
        self.conflict = conflict
    }
}

/// A post in conflict, as `read` mentions it.
public struct PostConflict: Encodable, Hashable, Sendable {
    /// How many versions the post has.
    public var versions: Int
    /// Which one is shown (0-based, as `conflicts` numbers them): the first that is not deleted.
    public var shown: Int
}
