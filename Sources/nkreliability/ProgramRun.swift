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
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let folder = try TemporaryFolder("nk-run")
        defer { folder.remove() }
        let out = URL(fileURLWithPath: folder.path("out"))
        let err = URL(fileURLWithPath: folder.path("err"))
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        let outHandle = try FileHandle(forWritingTo: out)
        let errHandle = try FileHandle(forWritingTo: err)
        defer {
            try? outHandle.close()
            try? errHandle.close()
        }
        process.standardOutput = outHandle
        process.standardError = errHandle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(timeout * harnessTimeScale)  // NK_TIME_SCALE (sanitizers)
        var hang: String?
        while process.isRunning {
            if Date() > deadline {
                hang = onHang(process.processIdentifier)
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
                break
            }
            Thread.sleep(forTimeInterval: 0.005)
        }
        // Lets Foundation free the ended Process: on Linux only waitUntilExit() drops the run loop source
        // that retains it (see `release` in Tests/NKTestSupport/ChildProcess.swift). Returns at once.
        process.waitUntilExit()
        return ProgramRun(
            status: process.terminationStatus, crashed: hang != nil || process.terminationReason == .uncaughtSignal,
            stdout: capturedText(out), stderr: capturedText(err), hang: hang)
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
