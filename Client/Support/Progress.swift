/// Told how a long operation advances: the command line draws a progress bar from it.
///
/// Called on whatever thread does the work, possibly inside a database transaction: an
/// implementation must be quick and must not touch the replica.
public protocol ProgressReporter: Sendable {
    /// `completed` of `total` units of `phase` (`importing`, `pushing`, `pulling`) are done;
    /// `total` is nil when unknown.
    func report(_ phase: String, completed: Int, total: Int?)
}

/// The text of a progress line: `syncing ▕████░░░░▏ 1200/5000`, or `pulling 1200` when the total
/// is unknown.
public enum ProgressBar {
    /// The line for `completed` of `total`, with a bar of `width` cells.
    public static func line(_ phase: String, completed: Int, total: Int?, width: Int = 24) -> String {
        guard let total, total > 0 else { return "\(phase) \(max(0, completed))" }
        let done = min(max(0, completed), total)
        let filled = done * width / total
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        return "\(phase) ▕\(bar)▏ \(done)/\(total)"
    }
}
