import Foundation
import GRDB
import NKProtocol

extension Replica {
    /// The local changes the server refused that are still outstanding (not edited since, not
    /// discarded), oldest first.
    public func rejectedChanges() throws(ClientError) -> [RejectedChange] {
        try read { db in
            var posts = PostCache()
            return try ReplicaStore.outstandingRejections(db).map { try Self.describe(db, $0, posts: &posts) }
        }
    }

    /// Drops the outstanding rejected change of a record (an annotation's id or prefix, else a
    /// post's): the server's versions of the record, if any, stay as they are. Returns what was dropped.
    @discardableResult
    public func discard(_ idOrPrefix: String) throws(ClientError) -> RejectedChange {
        let date = now()
        return try write { db in
            let outstanding = try ReplicaStore.outstandingRejections(db)
            let key = try Self.resolveRejected(idOrPrefix, among: outstanding)
            guard let rejected = outstanding.last(where: { $0.version.type == key.type && $0.version.id == key.id })
            else {
                throw ClientError(.notFound, "no rejected change has the id '\(key.id)'")
            }
            var posts = PostCache()
            let change = try Self.describe(db, rejected, posts: &posts)
            try ReplicaStore.settleRejections(db, type: key.type, id: key.id, as: .discarded, at: date)
            return change
        }
    }

    /// The record of the outstanding rejection whose id is `idOrPrefix` or starts with it
    /// (annotations first, as `edit` resolves ids).
    static func resolveRejected(_ idOrPrefix: String, among outstanding: [RejectedVersion]) throws -> RecordKey {
        let text = idOrPrefix.trimmingWhitespaceAndNewlines().lowercased()
        guard !text.isEmpty else { throw ClientError(.invalidInput, "the id is empty") }
        let keys = Set(outstanding.map { RecordKey(type: $0.version.type, id: $0.version.id) })
        for type in [RecordType.annotation, .post] {
            let matches = keys.filter { $0.type == type && $0.id.lowercased().hasPrefix(text) }
            if let exact = matches.first(where: { $0.id.lowercased() == text }) { return exact }
            if matches.count == 1, let match = matches.first { return match }
            if matches.count > 1 {
                throw ClientError(
                    .ambiguousID,
                    "the id prefix '\(text.prefix(80))' matches \(matches.count) rejected changes; "
                        + "give more characters")
            }
        }
        throw ClientError(
            .notFound,
            "no rejected change has the id '\(text.prefix(80))' (nkclient rejected lists them; nothing was changed)")
    }

    static func describe(_ db: Database, _ rejected: RejectedVersion, posts: inout PostCache) throws -> RejectedChange {
        let version = rejected.version
        var title: String?
        switch version.body {
        case .annotation(let annotation): title = try posts.post(db, annotation.postId)?.post.title
        case .post(let post): title = try posts.post(db, post.id)?.post.title ?? post.title
        }
        let held = try StoredVersion.fetchHeld(db, type: version.type, id: version.id)
        return RejectedChange(rejected, title: title, serverHasRecord: !held.isEmpty)
    }
}
