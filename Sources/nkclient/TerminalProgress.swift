import Foundation
import NKClient
import Synchronization

/// Draws a progress bar on stderr with `\r`, for work that takes longer than a moment, on a
/// terminal only: nothing when stderr or stdout is not a terminal, or when the output is JSON.
final class TerminalProgress: ProgressReporter, Sendable {
    /// How long the work runs before the bar appears.
    static let delay: TimeInterval = 0.5
    /// The shortest time between two redraws.
    static let interval: TimeInterval = 0.1

    private let started = Date()
    /// When the bar was last drawn; its lock also keeps two reports from drawing at once.
    private let lastDrawn = Mutex<Date?>(nil)

    private init() {}

    /// A reporter for this run, or nil when no bar should be drawn.
    static func make(json: Bool) -> TerminalProgress? {
        guard !json, isatty(STDERR_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else { return nil }
        return TerminalProgress()
    }

    func report(_ phase: String, completed: Int, total: Int?) {
        lastDrawn.withLock { lastDrawn in
            let now = Date()
            guard now.timeIntervalSince(started) >= Self.delay else { return }
            if let drawn = lastDrawn, now.timeIntervalSince(drawn) < Self.interval, completed != total { return }
            lastDrawn = now
            let line = ProgressBar.line(phase, completed: completed, total: total)
            FileHandle.standardError.write(Data("\r\(line)\u{1B}[K".utf8))
        }
    }

    /// Clears the bar's line if one was drawn.
    func finish() {
        lastDrawn.withLock { lastDrawn in
            guard lastDrawn != nil else { return }
            FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
            lastDrawn = nil
        }
    }
}
