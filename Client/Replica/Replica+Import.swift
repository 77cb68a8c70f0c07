import GRDB
import NKProtocol

extension Replica {
    /// Imports posts offline, in one write transaction; they sync like any edit.
    ///
    /// A post is unchanged when a current non-deleted version has the same content; otherwise a new
    /// local version is written, pending, whose vector is merge(frontier).incremented(for: this
    /// replica), so it replaces every held version. Importing the same posts twice changes nothing.
    ///
    /// - Throws: ``ClientError/Code/invalidInput`` (before anything is written) when a post breaks
    ///   the record limits.
    @discardableResult
    public func importPosts(_ posts: [Post], progress: (any ProgressReporter)? = nil) throws(ClientError)
        -> ImportSummary
    {
        for post in posts {
            do {
                try post.validate()
            } catch {
                throw ClientError(.invalidInput, "post '\(post.title.prefix(60))': \(error.message)")
            }
        }
        let user = config.user
        let replica = config.replica
        return try write { db in
            var summary = ImportSummary()
            for (index, post) in posts.enumerated() {
                progress?.report("importing", completed: index, total: posts.count)
                summary.count(try Self.writePost(db, post, user: user, replica: replica))
            }
            progress?.report("importing", completed: posts.count, total: posts.count)
            return summary
        }
    }

    /// Writes `post` as a local version unless a current non-deleted version already holds it.
    static func writePost(_ db: Database, _ post: Post, user: String, replica: ReplicaID) throws -> ImportOutcome {
        let held = try StoredVersion.fetchFrontier(db, type: .post, id: post.id.rawValue)
        let (outcome, vector) = post.importOutcome(over: held.map(\.version), by: replica)
        if let vector {
            try ReplicaStore.writeLocal(
                db, RecordVersion(version: vector, editor: user, body: .post(post)), by: replica)
        }
        return outcome
    }
}
