import Foundation
import NKProtocol

extension ServerStore {
    /// Waits until the change sequence moves past `since` or `timeout` runs out, whichever is first.
    ///
    /// Wakes when this process commits a change, and re-reads the database every `recheck` for
    /// changes written by other processes (admin commands). Holds no database connection while it
    /// waits, and answers `changed: false` at once when the task is cancelled (graceful shutdown).
    ///
    /// - Throws: ``ServerError`` `invalid_cursor` when `since` is beyond every sequence number this
    ///   database ever gave.
    public func waitForChanges(
        since: Int64, timeout: Duration, recheck: Duration = .milliseconds(500)
    ) async throws -> WaitResponse {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        var seen = await changeNotifier.generation
        var latest = try await latestSequenceEvenIfCancelled()
        while true {
            if latest > since {
                return WaitResponse(changed: true, latest: latest)
            }
            guard since <= latest else {
                throw ServerError(
                    .invalidCursor,
                    "the cursor \(since) is ahead of this server's changes (last \(latest)); "
                        + "the replica belongs to another server database: make a new replica")
            }
            let remaining = clock.now.duration(to: deadline)
            if remaining <= .zero || Task.isCancelled {
                return WaitResponse(changed: false, latest: latest)
            }
            await changeNotifier.wait(atMost: min(remaining, recheck), after: seen)
            seen = await changeNotifier.generation
            latest = try await latestSequenceEvenIfCancelled()
        }
    }

    /// GRDB refuses to start a read in a cancelled task; a cancelled wait still answers with the
    /// latest sequence number, so it reads from a task that does not inherit the cancellation.
    private func latestSequenceEvenIfCancelled() async throws -> Int64 {
        try await Task { try await self.latestSequence() }.value
    }
}
