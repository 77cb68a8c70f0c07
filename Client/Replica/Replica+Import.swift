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

    /// Imports one post by ``Post/importPlan(held:base:by:isImport:)``: compared with the version
    /// this replica imported last (`import_base`), so an unchanged dump leaves corrections alone and
    /// a changed one merges with them or stands beside them as a conflict. Every version it writes
    /// is a pending local version; a merge supersedes the dump's version at once, so only the merge
    /// is pushed.
    static func writePost(_ db: Database, _ post: Post, user: String, replica: ReplicaID) throws -> ImportOutcome {
        let id = post.id.rawValue
        let held = try StoredVersion.fetchFrontier(db, type: .post, id: id).map(\.version)
        var base: RecordVersion?
        if let vector = try String.fetchOne(db, sql: "SELECT vector FROM import_base WHERE postId = ?", arguments: [id])
        {
            base = try Self.heldVersion(db, type: .post, id: id, vector: vector)
        }
        // Without a recorded base, what the server imported (no editor) or this user wrote stands for
        // an import, as before bases were kept.
        let plan = post.importPlan(held: held, base: base, by: replica) { $0.editor == nil || $0.editor == user }
        var written: [RecordVersion] = []
        for var version in plan.writes {
            version.editor = user
            // writeLocal raises our counter above every one given before; a merge must keep
            // dominating the dump's version as written.
            if let dump = written.first {
                version.version = version.version.merging(dump.version).incremented(for: replica)
            }
            written.append(try ReplicaStore.writeLocal(db, version, by: replica))
        }
        // The new base is the dump's version as written (its counter raised by writeLocal), or the
        // held version the dump matched when nothing was written.
        if let base = plan.base.map({ written.first?.version ?? $0 }) {
            try db.execute(
                sql: "INSERT OR REPLACE INTO import_base (postId, vector) VALUES (?, ?)",
                arguments: [id, base.canonical])
        }
        return plan.outcome
    }

    /// One version of a record this replica holds or held, by its canonical vector.
    static func heldVersion(_ db: Database, type: RecordType, id: String, vector: String) throws -> RecordVersion? {
        let current = try StoredVersion.fetchFrontier(db, type: type, id: id)
        let superseded = try StoredVersion.fetchSuperseded(db, type: type, id: id)
        return (current + superseded).first { $0.version.version.canonical == vector }?.version
    }
}
