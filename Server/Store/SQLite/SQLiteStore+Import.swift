import Foundation
import GRDB
import NKProtocol

extension SQLiteStore {
    /// Imports posts in one write transaction, each by ``Post/importPlan(held:base:by:isImport:)``:
    /// the dump is compared with the version this server imported last (its import base), so an
    /// unchanged dump never touches a corrected post, and a changed one merges with the correction
    /// or stands beside it as a conflict. Superseded versions move to `history`.
    ///
    /// - Throws: ``ServerError`` `invalid_post` (before anything is written) when a post breaks the
    ///   record limits.
    public func importPosts(_ posts: [Post]) async throws -> ImportSummary {
        try CorpusLoader.validate(posts)
        let replica = serverReplicaID
        let now = Date()
        return try await Self.wrap {
            try await pool.write { db in
                var summary = ImportSummary()
                for post in posts {
                    let id = post.id.rawValue
                    let base = try ImportBaseRecord.fetchOne(db, key: id).flatMap {
                        try Self.storedVersion(db, type: .post, id: id, vector: $0.vector)
                    }
                    let plan = try post.serverImportPlan(
                        held: VersionRecord.frontier(db, type: .post, id: id), base: base, by: replica)
                    summary.count(plan.outcome)
                    for version in plan.writes {
                        for row in try VersionRecord.frontier(db, type: .post, id: id)
                        where version.version.dominates(try row.versionVector()) {
                            try Self.supersede(db, row, at: now)
                        }
                        var record = try VersionRecord(version, storedAt: now)
                        try record.insert(db)
                    }
                    if let vector = plan.base {
                        try ImportBaseRecord(postId: id, vector: vector.canonical).save(db)
                    }
                }
                return summary
            }
        }
    }
}
