import Foundation
import NKProtocol

extension SQLiteStore {
    /// Wakes when this process commits a change, and re-reads the database every `recheck` for
    /// changes written by other processes (admin commands). Holds no database connection while it
    /// waits.
    public func waitForChanges(since: Int64, timeout: Duration, recheck: Duration) async throws -> WaitResponse {
        try await changeNotifier.waitForChanges(since: since, timeout: timeout, recheck: recheck) {
            // GRDB refuses to start a read in a cancelled task; a cancelled wait still answers with
            // the latest sequence number, so it reads from a task that does not inherit the cancellation.
            try await Task { try await self.latestSequence() }.value
        }
    }
}
