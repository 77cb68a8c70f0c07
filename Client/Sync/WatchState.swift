import Foundation
import Synchronization

/// What the watcher's tasks share: whether a sync is wanted, the connection state, the newest
/// sequence number the server named, and a final error, behind one lock.
final class WatchState: Sendable {
    private struct State {
        var wanted = false
        var connected = true
        var latestSeen: Int64 = 0
        var fatalError: ClientError?
        var syncBackoff: Backoff
    }

    private let state: Mutex<State>

    init(backoff: Backoff) { state = Mutex(State(syncBackoff: backoff)) }

    /// Asks for a sync (many asks before it runs make one sync).
    func wantSync() { state.withLock { $0.wanted = true } }

    /// Takes the request for a sync: true once per batch of asks.
    func takeWanted() -> Bool {
        state.withLock { state in
            defer { state.wanted = false }
            return state.wanted
        }
    }

    /// Marks the server lost; true only when it was connected (so the loss is reported once).
    func markLost() -> Bool {
        state.withLock { state in
            defer { state.connected = false }
            return state.connected
        }
    }

    /// Marks the server reachable; true only when it was lost.
    func markConnected() -> Bool {
        state.withLock { state in
            defer { state.connected = true }
            return !state.connected
        }
    }

    /// True between a loss and the next success.
    var isLost: Bool { state.withLock { !$0.connected } }

    var latest: Int64 { state.withLock { $0.latestSeen } }

    func saw(latest: Int64) { state.withLock { $0.latestSeen = max($0.latestSeen, latest) } }

    /// Forgets the newest number seen: the server is behind it (restored from a backup).
    func forgetLatest() { state.withLock { $0.latestSeen = 0 } }

    var fatal: ClientError? { state.withLock { $0.fatalError } }

    func fail(_ error: ClientError) { state.withLock { $0.fatalError = $0.fatalError ?? error } }

    /// The wait before retrying a failed sync.
    func nextSyncDelay() -> Duration { state.withLock { $0.syncBackoff.next() } }

    func resetSyncDelay() { state.withLock { $0.syncBackoff.reset() } }
}
