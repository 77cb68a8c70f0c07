import NKProtocol

/// A post with its notes, as `nkclient read` shows it.
public struct PostDetail: Encodable, Hashable, Sendable {
    public var post: Post
    /// The post's annotations (deleted ones left out), in the order of their position in the text.
    public var notes: [NoteEntry]

    public init(post: Post, notes: [NoteEntry]) {
        self.post = post
        self.notes = notes
    }
}
