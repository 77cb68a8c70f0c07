import Foundation

/// What the watcher's tasks share: whether a sync is wanted, the connection state, the newest
/// sequence number the server named, and a final error. Lock-protected.
final class WatchState: @unchecked Sendable {
    private let lock = NSLock()
    private var wanted = false
    private var connected = true
    private var latestSeen: Int64 = 0
    private var fatalError: ClientError?
    private var syncBackoff: Backoff

    init(backoff: Backoff) { syncBackoff = backoff }

    /// Asks for a sync (many asks before it runs make one sync).
    func wantSync() { lock.withLock { wanted = true } }

    /// Takes the request for a sync: true once per batch of asks.
    func takeWanted() -> Bool {
        lock.withLock {
            defer { wanted = false }
            return wanted
        }
    }

    /// Marks the server lost; true only when it was connected (so the loss is reported once).
    func markLost() -> Bool {
        lock.withLock {
            defer { connected = false }
            return connected
        }
    }

    /// Marks the server reachable; true only when it was lost.
    func markConnected() -> Bool {
        lock.withLock {
            defer { connected = true }
            return !connected
        }
    }

    /// True between a loss and the next success.
    var isLost: Bool { lock.withLock { !connected } }

    var latest: Int64 { lock.withLock { latestSeen } }

    func saw(latest: Int64) { lock.withLock { latestSeen = max(latestSeen, latest) } }

    var fatal: ClientError? { lock.withLock { fatalError } }

    func fail(_ error: ClientError) { lock.withLock { fatalError = fatalError ?? error } }

    /// The wait before retrying a failed sync.
    func nextSyncDelay() -> Duration { lock.withLock { syncBackoff.next() } }

    func resetSyncDelay() { lock.withLock { syncBackoff.reset() } }
}
