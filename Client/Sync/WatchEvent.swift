import Foundation

/// What ``SyncWatcher`` tells its owner.
public enum WatchEvent: Sendable {
    /// The first sync is done and the watch has begun. Sent once.
    case watching(server: String)
    /// A sync finished (whether or not it moved anything).
    case synced(SyncSummary)
    /// The server cannot be reached (or keeps failing); the watcher retries after `retryIn`.
    /// Sent once per loss.
    case lost(server: String, reason: String, retryIn: Duration)
    /// The server answers again after a ``lost(server:reason:retryIn:)``.
    case reconnected(server: String)
    /// A sync failed for a reason that is neither the network nor the token (a 403 for a read-only
    /// account, say). The watcher goes on; local changes are kept.
    case syncFailed(ClientError)
    /// A line to show during a sync: the server was found behind this replica and is sent again
    /// what it lost.
    case notice(String)
}
