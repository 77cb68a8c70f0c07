import Foundation
import Logging
import NKProtocol

extension SyncEngine {
    /// Pushes pending versions in batches until the outbox is empty.
    func push(into summary: inout SyncSummary) async throws(ClientError) {
        let replicaID = replica.config.replica
        let total = try await replica.readAsync { db in try ReplicaStore.pendingCount(db) }
        var sent = 0
        while true {
            // The outbox as stored: its JSON goes into the request as it is, never decoded here.
            let pending = try await replica.readAsync { db in
                try ReplicaStore.outbox(db, limit: Wire.maxPushBatch)
            }
            let wire = Dictionary(pending.map { ($0, $0.wireJSON) }, uniquingKeysWith: { first, _ in first })
            let batch = PushPlan.batch(pending) { wire[$0]?.utf8.count ?? 0 }
            guard !batch.isEmpty else { return }
            // Before it leaves: the server can then never hold a counter of ours above this mark
            // unless another folder uses our replica id (DESIGN.md, "Own counters").
            let highest = batch.map { $0.version[replicaID] }.max() ?? 0
            try await replica.writeAsync { db in try ReplicaStore.recordSent(db, replica: replicaID, upTo: highest) }
            let response = try await api.push(
                replica: replicaID, encodedVersions: batch.map { wire[$0] ?? $0.wireJSON })
            FaultInjection.hit(.afterPushSent)
            let outcome = try PushPlan.interpret(sent: batch, response: response)
            let date = replica.now()
            let acknowledged = try await replica.writeAsync(syncing: .serverCanResend) { db in
                var count = 0
                for (index, version) in outcome.acknowledged.enumerated() {
                    if index == outcome.acknowledged.count / 2 { FaultInjection.hit(.midPushTransaction) }
                    if try ReplicaStore.acknowledge(db, version) { count += 1 }
                }
                // What the server now holds of ours: a server that later says less lost it.
                try ReplicaStore.recordAcknowledged(
                    db, replica: replicaID, upTo: outcome.acknowledged.map { $0.version[replicaID] }.max() ?? 0)
                for rejected in outcome.rejected {
                    try ReplicaStore.reject(db, rejected, at: date)
                }
                return count
            }
            FaultInjection.hit(.afterPushResponse)
            sent += batch.count
            if total > 0 { progress?.report("pushing", completed: min(sent, total), total: total) }
            summary.pushed += acknowledged
            summary.rejections += outcome.rejected.map {
                Rejection(
                    type: $0.version.type, id: $0.version.id, version: $0.version.version, code: $0.code,
                    message: $0.message)
            }
            logger.debug(
                "Pushed a batch",
                metadata: [
                    "sync.sent": "\(batch.count)", "sync.acknowledged": "\(acknowledged)",
                    "sync.rejected": "\(outcome.rejected.count)",
                ])
        }
    }

    /// Fetches again every record a rejected version was dropped from, and applies what the server holds.
    func refetch(into summary: inout SyncSummary, syncID: String) async throws(ClientError) {
        let keys = try await replica.readAsync { db in try ReplicaStore.recordsToRefetch(db) }
        let replicaID = replica.config.replica
        let server = api.server
        for key in keys {
            let versions = try await api.record(type: key.type, id: key.id)?.versions ?? []
            do {
                for version in versions { try ServerSentCheck.check(version) }
            } catch {
                throw invalid(error.reason)
            }
            let date = replica.now()
            let changed = try await replica.writeAsync(syncing: .serverCanResend) { db in
                let own = try OwnCounterGuard(db, replica: replicaID, server: server)
                var changed = 0
                for version in versions where version.type == key.type && version.id == key.id {
                    let status = try SyncLog.applyRemote(db, version, syncID: syncID, at: date, guarding: own)
                    if status != .unchanged { changed += 1 }
                }
                try ReplicaStore.clearRefetch(db, key)
                return changed
            }
            summary.pulled += changed
        }
    }
}
