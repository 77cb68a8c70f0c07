import Foundation

/// The content of one version of a record.
public enum RecordBody: Hashable, Sendable {
    case post(Post)
    case annotation(Annotation)

    public var type: RecordType {
        switch self {
        case .post: .post
        case .annotation: .annotation
        }
    }

    /// The id of the record this body belongs to.
    public var id: String {
        switch self {
        case .post(let post): post.id.rawValue
        case .annotation(let annotation): annotation.id.rawValue
        }
    }
}

/// One version of a record, as it travels between replicas and the server.
///
/// Every version carries its version vector and a deleted flag: a delete is a tombstone
/// version that keeps the last body, so it syncs like an edit.
public struct RecordVersion: Hashable, Sendable {
    public var version: VersionVector
    public var deleted: Bool
    /// The researcher who wrote this version. Set by the server from the token; nil before a push.
    public var editor: String?
    public var body: RecordBody

    public init(version: VersionVector, deleted: Bool = false, editor: String? = nil, body: RecordBody) {
        self.version = version
        self.deleted = deleted
        self.editor = editor
        self.body = body
    }

    public var type: RecordType { body.type }
    public var id: String { body.id }
}

extension RecordVersion: Codable {
    enum CodingKeys: String, CodingKey {
        case type, id, version, deleted, editor, post, annotation
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let type = try c.decode(RecordType.self, forKey: .type)
        let id = try c.decode(String.self, forKey: .id)
        version = try c.decode(VersionVector.self, forKey: .version)
        deleted = try c.decodeIfPresent(Bool.self, forKey: .deleted) ?? false
        editor = try c.decodeIfPresent(String.self, forKey: .editor)
        switch type {
        case .post: body = .post(try c.decode(Post.self, forKey: .post))
        case .annotation: body = .annotation(try c.decode(Annotation.self, forKey: .annotation))
        }
        guard body.id == id else {
            throw DecodingError.dataCorruptedError(
                forKey: .id, in: c, debugDescription: "id '\(id)' differs from the id inside the \(type.rawValue)")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(type, forKey: .type)
        try c.encode(id, forKey: .id)
        try c.encode(version, forKey: .version)
        try c.encode(deleted, forKey: .deleted)
        try c.encodeIfPresent(editor, forKey: .editor)
        switch body {
        case .post(let post): try c.encode(post, forKey: .post)
        case .annotation(let annotation): try c.encode(annotation, forKey: .annotation)
        }
    }
}
