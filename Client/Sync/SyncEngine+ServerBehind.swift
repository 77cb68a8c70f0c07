import Foundation
import Logging
import NKProtocol

extension SyncEngine {
    /// The first page of a pull, after making sure the server is not behind this replica.
    ///
    /// A server restored from a backup lacks what it accepted after the backup: this replica's
    /// cursor may be past its newest change (`invalid_cursor`), and its mark of this replica
    /// (`replicaHighWater`) below the highest counter it acknowledged. Either way the replica sends
    /// again the versions it wrote that the server lost, and pulls from 0 (DESIGN.md, "A server
    /// restored from a backup"). Returns the page and the cursor it was asked from.
    func firstPage(from cursor: Int64) async throws(ClientError) -> (page: PullResponse, cursor: Int64) {
        let replicaID = replica.config.replica
        var behind = false
        var asked = cursor
        var page: PullResponse
        do {
            page = try await api.changes(since: cursor, limit: pullLimit, replica: replicaID)
        } catch {
            guard error.serverCode == .invalidCursor, cursor > 0 else { throw error }
            behind = true
            asked = 0
            page = try await api.changes(since: 0, limit: pullLimit, replica: replicaID)
        }
        let acknowledged = try await replica.readAsync { db in
            try ReplicaStore.acknowledgedCounter(db, replica: replicaID)
        }
        // An older server does not say its mark: it holds nothing of ours as far as we can tell, and
        // what it does hold is answered `unchanged`.
        let held = page.replicaHighWater ?? 0
        if let mark = page.replicaHighWater, mark < acknowledged { behind = true }
        guard behind else { return (page, cursor) }
        let resent = try await replica.writeAsync { db in
            try ReplicaStore.resendLost(db, replica: replicaID, serverHolds: held)
        }
        let noun = resent == 1 ? "1 change" : "\(resent) changes"
        notice?(
            "the server at \(api.server) is behind this replica (restored from a backup?): re-sending \(noun) "
                + "it lost and pulling everything again")
        logger.debug(
            "The server is behind this replica", metadata: ["sync.resent": "\(resent)", "sync.serverMark": "\(held)"])
        if asked == 0 { return (page, 0) }
        return (try await api.changes(since: 0, limit: pullLimit, replica: replicaID), 0)
    }
}
