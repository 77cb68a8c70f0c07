import Foundation
import Logging
import NKProtocol

/// Push then pull, as DESIGN.md's state machine says.
///
/// Each push batch's results are recorded in one transaction, and each pull page is applied in
/// one transaction together with its cursor, so stopping the client at any instant loses nothing.
public struct SyncEngine: Sendable {
    public let replica: Replica
    public let api: ServerAPI
    let logger: Logger
    /// Versions per pull page.
    var pullLimit = Wire.defaultPullLimit
    /// Told after each push batch and each pull page (the command line draws a bar from it).
    public var progress: (any ProgressReporter)?
    /// Told a line the user should see during the sync (the server found behind this replica).
    public var notice: (@Sendable (String) -> Void)?

    /// A sync engine for `replica` talking to its server through `transport`.
    public init(
        replica: Replica, transport: any Transport, retryPolicy: RetryPolicy = RetryPolicy(),
        logger: Logger = Logger(label: "nkclient.sync")
    ) {
        self.replica = replica
        self.api = ServerAPI(
            server: replica.config.server, token: replica.config.token, transport: transport, retryPolicy: retryPolicy)
        self.logger = logger
    }

    /// Pulls every change, pushes the outbox, fetches records whose versions were rejected, then
    /// pulls again when it pushed anything.
    ///
    /// The first pull comes before the push so that everything the server holds is checked before
    /// anything is sent: a server that holds edits of this replica which the replica does not
    /// remember (its folder was restored from an older copy) is noticed before a new edit could
    /// reuse one of those counters and be answered `unchanged` (DESIGN.md, "Own counters").
    ///
    /// A read-only account's push is refused as a whole (403 `read_only`): that refusal is thrown
    /// after the pull, so a read-only researcher keeps receiving and keeps their own changes.
    ///
    /// - Throws: a ``ClientError`` whose message says how many local changes are kept.
    public func run() async throws(ClientError) -> SyncSummary {
        var summary = SyncSummary()
        let syncID = String(UUID().uuidString.lowercased().prefix(8))
        var refused: ClientError?
        do throws(ClientError) {
            try await pull(into: &summary, syncID: syncID)
            let before = summary
            refused = try await pushUnlessReadOnly(into: &summary, syncID: syncID)
            if refused == nil, summary != before {
                // The pushed versions as the server stamped them, and whatever arrived meanwhile.
                try await pull(into: &summary, syncID: syncID)
            }
        } catch {
            throw await keptChanges(error)
        }
        if let refused {
            _ = try? await replica.writeAsync(syncing: .serverCanResend) { db in
                try ReplicaStore.setLastSync(db, replica.now())
            }
            throw await keptChanges(refused)
        }
        let date = replica.now()
        summary.conflicts = try await replica.writeAsync(syncing: .serverCanResend) { db in
            try ReplicaStore.setLastSync(db, date)
            return try ReplicaStore.conflictCount(db)
        }
        return summary
    }

    /// Pushes and refetches; returns (instead of throwing) a refusal because the account is read-only.
    private func pushUnlessReadOnly(into summary: inout SyncSummary, syncID: String) async throws(ClientError)
        -> ClientError?
    {
        do throws(ClientError) {
            try await push(into: &summary)
            try await refetch(into: &summary, syncID: syncID)
            return nil
        } catch {
            guard error.serverCode == .readOnly else { throw error }
            return error
        }
    }

    /// The error with the number of local changes still waiting added to its message.
    private func keptChanges(_ error: ClientError) async -> ClientError {
        guard let pending = try? await replica.readAsync({ db in try ReplicaStore.pendingCount(db) }) else {
            return error
        }
        var result = error
        let noun = pending == 1 ? "1 local change is" : "\(pending) local changes are"
        if error.serverCode == .readOnly {
            // Not a rejection of any one change: nothing is wrong with them, the account cannot push.
            result.message +=
                "; \(noun) kept in this replica, shown by nkclient notes, and pushed by the first sync after an "
                + "admin gives your account write access"
        } else {
            result.message += "; \(noun) kept and will be pushed on the next sync"
        }
        return result
    }
}
