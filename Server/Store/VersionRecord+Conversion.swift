import Foundation
import GRDB
import NKProtocol

extension VersionRecord {
    /// The row that stores `version`, with its former readers (``PushRules/formerReaders``). Pass
    /// one `encoder` when making many.
    init(
        _ version: RecordVersion, storedAt: Date, formerReaders: [String]? = [],
        encoder: JSONEncoder = Wire.makeEncoder()
    ) throws {
        let bodyData: Data
        switch version.body {
        case .post(let post):
            bodyData = try encoder.encode(post)
            author = nil
            visibility = nil
            postId = nil
        case .annotation(let annotation):
            bodyData = try encoder.encode(annotation)
            author = annotation.author
            visibility = annotation.visibility.rawValue
            postId = annotation.postId.rawValue
        }
        seq = nil
        recordType = version.type.rawValue
        recordId = version.id
        vector = version.version.canonical
        vectorJSON = String(decoding: try encoder.encode(version.version), as: UTF8.self)
        deleted = version.deleted
        editor = version.editor
        body = String(decoding: bodyData, as: UTF8.self)
        self.storedAt = storedAt
        self.formerReaders = formerReaders.map(Self.formerReadersText)
    }

    /// The stored form of former readers: a JSON array of the names, sorted.
    static func formerReadersText(_ names: [String]) -> String {
        "[" + names.sorted().map(PullPageJSON.quoted).joined(separator: ",") + "]"
    }

    /// The former readers, or nil when the version predates them (everyone who cannot read it).
    func formerReaderNames() throws -> Set<String>? {
        guard let formerReaders else { return nil }
        return Set(try JSONDecoder().decode([String].self, from: Data(formerReaders.utf8)))
    }

    /// Whether `user` may have held the record (a former reader, or the version predates the list).
    func isFormerReader(_ user: String) -> Bool {
        Self.isFormerReader(user, in: formerReaders)
    }

    /// ``isFormerReader(_:)`` on a stored `formerReaders` column. User names are plain identifiers
    /// (no quote, no backslash), so the quoted name occurs in the JSON array exactly when it is one
    /// of its elements: no decoding on the pull's path.
    static func isFormerReader(_ user: String, in formerReaders: String?) -> Bool {
        guard let formerReaders else { return true }
        return formerReaders.contains(PullPageJSON.quoted(user))
    }

    /// The stored former readers with `user` added (a member removed from the version's group),
    /// unless they are its author, who always reads it, or the version predates the list.
    func addingFormerReader(_ user: String?) throws -> String? {
        guard let user, author != user, var names = try formerReaderNames() else { return formerReaders }
        names.insert(user)
        return Self.formerReadersText(Array(names))
    }

    /// The stored version vector: read from its canonical text, or from the JSON form if that
    /// text is not canonical.
    func versionVector() throws -> VersionVector {
        if let vector = VersionVector(canonical: vector) { return vector }
        return try Wire.makeDecoder().decode(VersionVector.self, from: Data(vectorJSON.utf8))
    }

    /// The stored version, as it travels on the wire.
    func recordVersion() throws -> RecordVersion {
        let decoder = Wire.makeDecoder()
        let data = Data(body.utf8)
        let recordBody: RecordBody
        switch RecordType(rawValue: recordType) {
        case .post: recordBody = .post(try decoder.decode(Post.self, from: data))
        case .annotation: recordBody = .annotation(try decoder.decode(Annotation.self, from: data))
        case nil: throw ServerError(.internal, "a stored version has an unknown record type")
        }
        return RecordVersion(version: try versionVector(), deleted: deleted, editor: editor, body: recordBody)
    }

    /// The versions of a frontier the user may read.
    ///
    /// - Throws: ``ServerError`` `not_found` when there is none.
    static func readable(_ frontier: [VersionRecord], by access: ReadAccess, type: RecordType) throws
        -> [RecordVersion]
    {
        let versions = try frontier.filter { $0.isReadable(by: access) }.map { try $0.recordVersion() }
        guard !versions.isEmpty else {
            throw ServerError(.notFound, "there is no \(type.rawValue) with this id")
        }
        return versions
    }

    /// Whether this version may be read: posts by everyone; an annotation by its author, by everyone
    /// when `shared`, and by the members of the group when `group:NAME`. Others get only its vector.
    func isReadable(by access: ReadAccess) -> Bool {
        access.canRead(visibility: visibility, author: author)
    }

    /// The record's current frontier: every stored version of it, in sibling order.
    static func frontier(_ db: Database, type: RecordType, id: String) throws -> [VersionRecord] {
        try VersionRecord.fetchAll(
            db.cachedStatement(sql: "SELECT * FROM versions WHERE recordType = ? AND recordId = ? ORDER BY vector"),
            arguments: [type.rawValue, id])
    }
}

extension VersionRecord {
    /// Whether a stored annotation body is a note on a whole post (no `anchor`) or a reply (`replyTo`),
    /// which a client from before them cannot decode. Read from the JSON as stored: in it, `"anchor":`
    /// and `"replyTo":` can only be keys of the annotation (inside a string every `"` is escaped, and
    /// no other object of an annotation has such keys).
    static func isThread(body: String) -> Bool {
        !body.contains(#""anchor":"#) || body.contains(#""replyTo":"#)
    }
}
