import Foundation

/// Crash points for the reliability suites: `NKCLIENT_FAULT=NAME` makes the process end with
/// `_exit(137)` (as if killed by SIGKILL) when the sync reaches the named step.
///
/// The variable is read once per process; unset (or an unknown name) does nothing. See
/// `docs/DESIGN.md` (*Fault injection*) and `RELIABILITY.md`.
enum FaultInjection {
    /// The named steps of a sync.
    enum Point: String, Sendable {
        /// The server committed the push and answered; the client dies before recording the answer.
        case afterPushSent = "after-push-sent"
        /// Halfway through the transaction that records a push's answer (rolled back).
        case midPushTransaction = "mid-push-transaction"
        /// A push batch's answer is committed; the client dies before the next batch or the pull.
        case afterPushResponse = "after-push-response"
        /// A pull page and its cursor are committed and more follow; the client dies before the next.
        case betweenPullPages = "between-pull-pages"
        /// Halfway through applying a pull page (the transaction is rolled back).
        case midPullTransaction = "mid-pull-transaction"
    }

    /// The point named by `NKCLIENT_FAULT`, read once.
    static let active: Point? = ProcessInfo.processInfo.environment["NKCLIENT_FAULT"].flatMap(Point.init(rawValue:))

    /// Ends the process at once, without cleanup, when `point` is the active one.
    static func hit(_ point: Point) {
        guard let active, active == point else { return }
        _exit(137)
    }
}
