import Foundation
import NKProtocol
import NKTestSupport

/// How a program run ended: the disk-fault suite must tell a crash from an error exit.
struct ProgramRun: CustomStringConvertible {
    var status: Int32
    /// Ended by a signal (a Swift trap, a segmentation fault), or hung past its timeout.
    var crashed: Bool
    var stdout: String
    var stderr: String
    /// When it hung: what `onHang` said about it before it was killed.
    var hang: String?

    var succeeded: Bool { !crashed && status == 0 }
    /// stderr is exactly one line `error: ...` (libfiu and libfaketime print nothing of their own).
    var isOneLineError: Bool {
        let lines = stderr.split(separator: "\n", omittingEmptySubsequences: false)
        return lines.count == 2 && lines[1].isEmpty && lines[0].hasPrefix("error: ")
    }
    var description: String {
        "exit \(status)\(crashed ? " (crashed)" : "")\(hang.map { " (hung: \($0))" } ?? "") stdout: \(stdout) "
            + "stderr: \(stderr)"
    }

    /// Runs `executable` to its end with extra `environment`. A run still going after `timeout` (times
    /// `NK_TIME_SCALE`) is hung: `onHang` is asked about it while it still runs (its pid given), then it
    /// is killed.
    static func run(
        _ executable: String, _ arguments: [String], environment: [String: String], timeout: TimeInterval = 60,
        onHang: (Int32) -> String = { ProgramRun.threadStates(of: $0) }
    ) throws -> ProgramRun {
        var hang: String?
        let run = try captureRun(
            URL(fileURLWithPath: executable), arguments, environment: environment, timeout: timeout
        ) { hang = onHang($0) }
        return ProgramRun(
            status: run.end.status, crashed: run.timedOut || run.end.isSignal, stdout: run.stdout,
            stderr: run.stderr, hang: hang)
    }

    /// Where each thread of a running process waits (`/proc/PID/task/TID/wchan`, with its state), so a
    /// hang says whether the program computed, slept, polled a socket or waited on a lock.
    static func threadStates(of pid: Int32) -> String {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        let states = tasks.sorted().map { tid -> String in
            let folder = "/proc/\(pid)/task/\(tid)"
            let wchan = FileContents.read(atPath: folder + "/wchan").map { String(decoding: $0, as: UTF8.self) }
            let stat = FileContents.read(atPath: folder + "/stat").map { String(decoding: $0, as: UTF8.self) }
            // The state is the field after the parenthesised command name.
            let state = stat.flatMap { $0.split(separator: ")").last?.split(separator: " ").first } ?? "?"
            return "\(state):\(wchan ?? "?")"
        }
        return "threads "
            + Dictionary(states.map { ($0, 1) }, uniquingKeysWith: +)
            .sorted { $0.key < $1.key }.map { "\($0.value)x \($0.key)" }.joined(separator: ", ")
    }
}
