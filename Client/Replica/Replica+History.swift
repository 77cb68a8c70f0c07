import Foundation
import GRDB
import NKProtocol

/// Which record an id given on the command line names.
public struct RecordRef: Hashable, Sendable {
    public var type: RecordType
    public var id: String
}

/// A record's history as `nkclient history` shows it: every version known, oldest first.
public struct RecordHistory: Hashable, Sendable {
    public var record: RecordRef
    public var versions: [HistoryEntry]
    /// False when the server could not be asked: only the versions this replica has held.
    public var includesServer: Bool
}

extension Replica {
    /// The note or post whose id (or unique prefix) this is: notes first, then posts.
    public func recordRef(_ idOrPrefix: String) throws(ClientError) -> RecordRef {
        try read { db in try Self.recordRef(db, idOrPrefix) }
    }

    static func recordRef(_ db: Database, _ idOrPrefix: String) throws -> RecordRef {
        do {
            return RecordRef(
                type: .annotation, id: try ReplicaStore.resolveID(db, type: .annotation, prefix: idOrPrefix))
        } catch let error as ClientError where error.code == .notFound {
            do {
                return RecordRef(type: .post, id: try ReplicaStore.resolveID(db, type: .post, prefix: idOrPrefix))
            } catch let postError as ClientError where postError.code == .notFound {
                throw ClientError(.notFound, "no note or post has the id '\(idOrPrefix.prefix(80))'")
            }
        }
    }

    /// Every version of a record this replica has held (current and superseded), merged with the
    /// server's history when given (`fromServer`, already checked), oldest first. A version both
    /// know is the server's entry (it knows when it was stored and whether it is still current);
    /// a version only this replica holds (not yet pushed) keeps this replica's view.
    public func history(_ record: RecordRef, fromServer: [HistoryEntry]? = nil) throws(ClientError) -> RecordHistory {
        let local = try read { db in
            let current = try StoredVersion.fetchFrontier(db, type: record.type, id: record.id)
            let superseded = try StoredVersion.fetchSuperseded(db, type: record.type, id: record.id)
            return current.map { HistoryEntry(record: $0.version, current: true, storedAt: nil) }
                + superseded.map { HistoryEntry(record: $0.version, current: false, storedAt: nil) }
        }
        var byVector: [VersionVector: HistoryEntry] = [:]
        for entry in local { byVector[entry.record.version] = entry }
        for entry in fromServer ?? [] { byVector[entry.record.version] = entry }
        return RecordHistory(
            record: record, versions: byVector.values.sorted(by: HistoryEntry.chronological),
            includesServer: fromServer != nil)
    }

    /// Writes a new version of a record with the content of one of its earlier versions; it
    /// syncs like an edit. Only the author restores a deleted note, as only the author deletes.
    ///
    /// - Parameter version: the version to restore (its content; its vector is not reused), or
    ///   nil to bring back a deleted note as it was when deleted.
    @discardableResult
    public func restore(_ record: RecordRef, from version: HistoryEntry?) throws(ClientError) -> VersionVector {
        let user = config.user
        let replica = config.replica
        let date = now()
        return try write { db in
            let siblings = try StoredVersion.fetchFrontier(db, type: record.type, id: record.id)
            guard !siblings.isEmpty else { throw ClientError(.notFound, "this replica does not hold \(record.id)") }
            let deleted = siblings.allSatisfy(\.version.deleted)
            var body: RecordBody
            if let version {
                guard !version.record.deleted else {
                    throw ClientError(
                        .invalidInput,
                        "that version is the note's deletion; restore an earlier one, or run nkclient delete")
                }
                body = version.record.body
            } else {
                guard deleted else {
                    throw ClientError(
                        .invalidInput,
                        "\(record.id) is not deleted; give --version N (nkclient history \(record.id) numbers them)")
                }
                body = siblings[0].version.body
            }
            if case .annotation(var annotation) = body {
                let author = Self.liveAnnotation(siblings)?.author ?? annotation.author
                if deleted, author != user {
                    throw ClientError(.notAllowed, "only the author (\(author)) can restore annotation \(record.id)")
                }
                try Self.checkAllowed(annotation, deleted: false, user: user)
                annotation.author = author
                annotation.updatedAt = date
                body = .annotation(annotation)
            }
            if case .post(var post) = body, let current = ReplicaStore.firstLive(siblings),
                case .post(let held) = current.body
            {
                post.id = held.id
                body = .post(post)
            }
            let vector = Frontier.localEdit(of: siblings.map(\.version.version), by: replica)
            return try ReplicaStore.writeLocal(
                db, RecordVersion(version: vector, deleted: false, editor: user, body: body), by: replica
            ).version
        }
    }

    /// The deleted notes this replica holds (every current version a deletion), newest first.
    public func trash() throws(ClientError) -> [TrashEntry] {
        try read { db in
            var posts = PostCache()
            var entries: [TrashEntry] = []
            for siblings in try ReplicaStore.frontiers(db, type: .annotation).values
            where siblings.allSatisfy(\.version.deleted) {
                guard case .annotation(let annotation) = siblings[0].version.body else { continue }
                entries.append(
                    TrashEntry(
                        annotation: annotation, deletedBy: siblings[0].version.editor,
                        postTitle: try posts.post(db, annotation.postId)?.post.title))
            }
            return entries.sorted { ($0.deletedAt, $0.id.rawValue) > ($1.deletedAt, $1.id.rawValue) }
        }
    }
}

/// A deleted note, as `nkclient trash` lists it.
public struct TrashEntry: Encodable, Hashable, Sendable {
    public var id: AnnotationID
    public var postId: PostID
    public var postTitle: String?
    public var author: String
    /// Who deleted it (nil before the deletion was pushed).
    public var deletedBy: String?
    public var deletedAt: Date
    public var quote: String?
    public var note: String
    public var tags: [String]
    public var visibility: Visibility

    init(annotation: Annotation, deletedBy: String?, postTitle: String?) {
        id = annotation.id
        postId = annotation.postId
        self.postTitle = postTitle
        author = annotation.author
        self.deletedBy = deletedBy
        deletedAt = annotation.updatedAt
        quote = annotation.anchor?.exact
        note = annotation.note
        tags = annotation.tags
        visibility = annotation.visibility
    }
}
