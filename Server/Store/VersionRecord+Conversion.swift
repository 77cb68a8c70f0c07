import Foundation
import GRDB
import NKProtocol

extension VersionRecord {
    /// The row that stores `version`. Pass one `encoder` when making many.
    init(_ version: RecordVersion, storedAt: Date, encoder: JSONEncoder = Wire.makeEncoder()) throws {
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

    /// This version as a change of the pull: the version itself when the user may read it, its
    /// vector only (`hidden`) when not.
    func change(access: ReadAccess) throws -> Change {
        let seq = seq ?? 0
        if isReadable(by: access) {
            return Change(seq: seq, record: try recordVersion())
        }
        let type = RecordType(rawValue: recordType) ?? .annotation
        return Change(seq: seq, hidden: HiddenVersion(type: type, id: recordId, version: try versionVector()))
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
