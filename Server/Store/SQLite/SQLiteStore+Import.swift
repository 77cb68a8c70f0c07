import Foundation
import GRDB
import NKProtocol

extension SQLiteStore {
    /// Imports posts in one write transaction.
    ///
    /// A post whose current frontier already holds a version with the same content is unchanged;
    /// otherwise a new version is written whose vector is the merge of the frontier incremented for
    /// the server's replica, so it replaces every held version. Importing the same posts twice
    /// changes nothing.
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
                    let rows = try VersionRecord.frontier(db, type: .post, id: post.id.rawValue)
                    let held = try rows.map { try $0.recordVersion() }
                    let (outcome, vector) = post.importOutcome(over: held, by: replica)
                    summary.count(outcome)
                    guard let vector else { continue }
                    for row in rows { try row.delete(db) }
                    var record = try VersionRecord(RecordVersion(version: vector, body: .post(post)), storedAt: now)
                    try record.insert(db)
                }
                return summary
            }
        }
    }
}
