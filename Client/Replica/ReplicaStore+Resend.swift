import Foundation
import GRDB
import NKProtocol

extension ReplicaStore {
    static func acknowledgedCounterKey(_ replica: ReplicaID) -> String { "acknowledgedCounter." + replica.rawValue }

    /// The highest counter of `replica` in a version the server acknowledged (applied, unchanged or
    /// conflict); 0 when none was recorded (a replica from before this was kept).
    ///
    /// The server's mark of the replica (`replicaHighWater`) is never below it unless the server
    /// lost acknowledged writes: it was restored from a backup (DESIGN.md, "A server restored from a
    /// backup").
    static func acknowledgedCounter(_ db: Database, replica: ReplicaID) throws -> UInt64 {
        try stateValue(db, acknowledgedCounterKey(replica)).flatMap { UInt64($0) } ?? 0
    }

    /// Raises the acknowledged mark to `counter` (in the transaction that records the acknowledgements).
    static func recordAcknowledged(_ db: Database, replica: ReplicaID, upTo counter: UInt64) throws {
        let kept = try acknowledgedCounter(db, replica: replica)
        guard counter > kept else { return }
        try setState(db, acknowledgedCounterKey(replica), String(counter))
    }

    /// After the server was found behind this replica: puts back in the outbox every version this
    /// replica wrote that the server no longer holds (its own counter above `serverHolds`, the
    /// server's mark of this replica), lowers the acknowledged mark to what the server holds, and
    /// sets the cursor to 0 so that the next pull reads the server's whole frontier. Returns how many
    /// versions went back to the outbox.
    ///
    /// A held version whose counter of this replica is also on a superseded version of the same
    /// record kept in `history` was written by another replica that had seen this replica's edit:
    /// it is that replica's to send, and stays as it is. Every counter of this replica is given
    /// once, so the version this replica wrote with it is the one that has it and dominates no other.
    static func resendLost(_ db: Database, replica: ReplicaID, serverHolds: UInt64) throws -> Int {
        // Replica ids are plain identifiers (letters, digits, '.', '_', '-'): safe in a JSON path.
        let path = "$.\"\(replica.rawValue)\""
        try db.execute(
            sql: """
                UPDATE versions SET pending = 1
                WHERE pending = 0 AND CAST(json_extract(vectorJSON, ?1) AS INTEGER) > ?2
                AND NOT EXISTS (
                    SELECT 1 FROM history h
                    WHERE h.recordType = versions.recordType AND h.recordId = versions.recordId
                    AND CAST(json_extract(h.vectorJSON, ?1) AS INTEGER)
                        = CAST(json_extract(versions.vectorJSON, ?1) AS INTEGER))
                """,
            arguments: [path, Int64(clamping: serverHolds)])
        let count = db.changesCount
        try setState(db, acknowledgedCounterKey(replica), String(serverHolds))
        try setCursor(db, 0)
        return count
    }
}
