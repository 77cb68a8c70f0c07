import Foundation
import GRDB
import Logging
import NKProtocol

extension SyncEngine {
    /// Pulls change pages from the cursor until the server says there are no more; each page is
    /// checked, then applied together with its cursor in one transaction.
    ///
    /// The pull is bounded (``PullBound``): every page that says `more` must move the cursor by at
    /// least the page size asked for, and one pull covers no more than the changes the server had
    /// when it began, plus a margin for what arrives meanwhile.
    func pull(into summary: inout SyncSummary, syncID: String) async throws(ClientError) {
        // A read on every sync; a write only the once a replica starts pulling again (pullCursor).
        let held = try await replica.readAsync { db -> Int64? in
            try ReplicaStore.pulledThreads(db) ? ReplicaStore.cursor(db) : nil
        }
        var cursor: Int64
        if let held {
            cursor = held
        } else {
            cursor = try await replica.writeAsync { db in try ReplicaStore.pullCursor(db) }
        }
        var bound: PullBound?
        var received = 0
        while true {
            let page: PullResponse
            if bound == nil {
                (page, cursor) = try await firstPage(from: cursor)
                try await checkNoOtherFolderUsesThisReplica(page)
                let latest = try await latestSequence(named: page, after: cursor)
                bound = PullBound(start: cursor, latest: latest, pageSize: pullLimit)
            } else {
                page = try await api.changes(since: cursor, limit: pullLimit, replica: replica.config.replica)
            }
            let next: PullStep.Next
            do {
                next = try PullStep.next(after: cursor, page: page, limit: pullLimit, bound: bound)
                try ServerSentCheck.check(page, after: cursor, limit: pullLimit)
            } catch {
                throw invalid(error.reason)
            }
            let date = replica.now()
            // Nothing new (the no-op sync): no transaction, nothing to write.
            let nothingNew = page.changes.isEmpty && page.next == cursor
            let changed = nothingNew ? 0 : try await apply(page, syncID: syncID, at: date)
            summary.pulled += changed
            received += page.changes.count
            if page.more || received > 0 { progress?.report("pulling", completed: received, total: nil) }
            logger.debug(
                "Applied a pull page", metadata: ["sync.changes": "\(page.changes.count)", "sync.next": "\(page.next)"])
            switch next {
            case .continueFrom(let value):
                FaultInjection.hit(.betweenPullPages)
                cursor = value
            case .done: return
            }
        }
    }

    /// Refuses to go on when the server holds a counter of this replica that this folder never
    /// sent: another folder has been using the same replica id (this one was restored from an older
    /// copy of itself, or copied to another machine), and giving those counters again would give two
    /// different versions one vector.
    private func checkNoOtherFolderUsesThisReplica(_ page: PullResponse) async throws(ClientError) {
        guard let held = page.replicaHighWater, held > 0 else { return }
        let replicaID = replica.config.replica
        let sent = try await replica.readAsync { db in try ReplicaStore.sentCounter(db, replica: replicaID) }
        guard held > sent else { return }
        throw ClientError(
            .staleReplica,
            "the server at \(api.server) holds edits of this replica (\(replicaID.rawValue)) up to \(held), but this "
                + "folder never sent more than \(sent): it was restored from an older copy of itself, or another "
                + "folder uses the same replica; nothing was changed. Run nkclient new-replica to carry on under a "
                + "new replica id (unpushed changes are kept and pushed again)")
    }

    /// The newest sequence number the server has: the first page says it; a server older than that
    /// field is asked with a long poll that does not wait.
    private func latestSequence(named page: PullResponse, after cursor: Int64) async throws(ClientError) -> Int64 {
        if let latest = page.latest { return latest }
        return try await api.wait(since: cursor, timeout: 0).latest
    }

    /// Applies one pull page and its cursor in one transaction; returns how many versions changed
    /// something. The server can send the page again, so the commit does not wait for the disk. A
    /// version that claims an edit this replica did not make rolls the whole page back.
    private func apply(_ page: PullResponse, syncID: String, at date: Date) async throws(ClientError) -> Int {
        let replicaID = replica.config.replica
        let server = api.server
        return try await replica.writeAsync(syncing: .serverCanResend) { db in
            let own = try OwnCounterGuard(db, replica: replicaID, server: server)
            let encoder = Wire.makeEncoder()
            var changed = 0
            for (index, change) in page.changes.enumerated() {
                if index == page.changes.count / 2 { FaultInjection.hit(.midPullTransaction) }
                if let record = change.record {
                    let status = try SyncLog.applyRemote(
                        db, record, syncID: syncID, at: date, encoder: encoder, guarding: own)
                    if status != .unchanged { changed += 1 }
                } else if let hidden = change.hidden {
                    if try SyncLog.applyHidden(db, hidden, syncID: syncID, at: date, guarding: own) > 0 {
                        changed += 1
                    }
                }
            }
            try ReplicaStore.setCursor(db, page.next)
            return changed
        }
    }

    /// The error for something the server sent that fails the client's checks.
    func invalid(_ reason: String) -> ClientError {
        ClientError(
            .badResponse,
            "the server at \(api.server) sent something invalid (\(reason)); nothing of it was applied")
    }
}

extension OwnCounterGuard {
    /// The guard for `replica`, with its high-water mark kept in the replica from now on.
    init(_ db: Database, replica: ReplicaID, server: String) throws {
        try ReplicaStore.keepOwnCounter(db, replica: replica)
        self.init(replica: replica, highWater: try ReplicaStore.ownCounter(db, replica: replica), server: server)
    }
}

/// How far one pull may go: the changes the server had when the pull began, plus a margin for
/// what arrives meanwhile (as many again as there were to pull, and at least ten pages).
struct PullBound: Hashable, Sendable {
    var start: Int64
    var latest: Int64
    var pageSize: Int

    /// The sequence number past which a server that still says `more` is refused.
    var limit: Int64 {
        let toPull = max(0, latest - start)
        let margin = max(toPull, Int64(pageSize) * 10)
        let (sum, overflow) = latest.addingReportingOverflow(margin)
        return overflow ? Int64.max : sum
    }
}
