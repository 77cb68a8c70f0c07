import NKProtocol

/// A record in conflict: its siblings in deterministic order (by canonical vector text).
public struct ConflictEntry: Encodable, Hashable, Sendable {
    /// One sibling.
    public struct Sibling: Encodable, Hashable, Sendable {
        public var note: String?
        public var tags: [String]?
        public var author: String?
        /// Set for a post's sibling only.
        public var title: String?
        /// A post's text (its paragraphs joined by a blank line); set for a post's sibling only.
        public var text: String?
        public var editor: String?
        public var deleted: Bool
        public var version: VersionVector

        init(_ version: RecordVersion) {
            switch version.body {
            case .annotation(let annotation):
                note = annotation.note
                tags = annotation.tags
                author = annotation.author
            case .post(let post):
                title = post.title
                text = post.text
            }
            editor = version.editor
            deleted = version.deleted
            self.version = version.version
        }

        enum CodingKeys: String, CodingKey { case note, tags, author, title, text, editor, deleted, version }

        /// `{"note","tags","author","editor","deleted","version"}` (`editor` null before a push;
        /// a post's sibling has `title` and `text` instead of note, tags and author).
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            if let title {
                try c.encode(title, forKey: .title)
                try c.encode(text ?? "", forKey: .text)
            } else {
                try c.encode(note ?? "", forKey: .note)
                try c.encode(tags ?? [], forKey: .tags)
                try c.encode(author ?? "", forKey: .author)
            }
            try c.encode(editor, forKey: .editor)
            try c.encode(deleted, forKey: .deleted)
            try c.encode(version, forKey: .version)
        }
    }

    public var type: RecordType
    public var id: String
    public var versions: [Sibling]
}
