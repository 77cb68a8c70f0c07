import Foundation
import NKProtocol

extension SyncEngine {
    /// Pulls change pages from the cursor until the server says there are no more; each page is
    /// applied together with its cursor in one transaction.
    func pull(into summary: inout SyncSummary, syncID: String) async throws(ClientError) {
        var cursor = try await replica.readAsync { db in try ReplicaStore.cursor(db) }
        var received = 0
        while true {
            let page = try await api.changes(since: cursor, limit: pullLimit)
            let next = try PullStep.next(after: cursor, page: page)
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

    /// Applies one pull page and its cursor in one transaction; returns how many versions changed
    /// something. The server can send the page again, so the commit does not wait for the disk.
    private func apply(_ page: PullResponse, syncID: String, at date: Date) async throws(ClientError) -> Int {
        try await replica.writeAsync(syncing: .serverCanResend) { db in
            let encoder = Wire.makeEncoder()
            var changed = 0
            for (index, change) in page.changes.enumerated() {
                if index == page.changes.count / 2 { FaultInjection.hit(.midPullTransaction) }
                if let record = change.record {
                    let status = try SyncLog.applyRemote(db, record, syncID: syncID, at: date, encoder: encoder)
                    if status != .unchanged { changed += 1 }
                } else if let hidden = change.hidden {
                    if try SyncLog.applyHidden(db, hidden, syncID: syncID, at: date) > 0 { changed += 1 }
                }
            }
            try ReplicaStore.setCursor(db, page.next)
            return changed
        }
    }
}
