import Foundation
import NKTestSupport

/// How a program run ended: the disk-fault suite must tell a crash from an error exit.
struct ProgramRun: CustomStringConvertible {
    var status: Int32
    /// Ended by a signal (a Swift trap, a segmentation fault), or hung past its timeout.
    var crashed: Bool
    var stdout: String
    var stderr: String

    var succeeded: Bool { !crashed && status == 0 }
    /// stderr is exactly one line `error: ...` (libfiu and libfaketime print nothing of their own).
    var isOneLineError: Bool {
        let lines = stderr.split(separator: "\n", omittingEmptySubsequences: false)
        return lines.count == 2 && lines[1].isEmpty && lines[0].hasPrefix("error: ")
    }
    var description: String { "exit \(status)\(crashed ? " (crashed)" : "") stdout: \(stdout) stderr: \(stderr)" }

    /// Runs `executable` to its end with extra `environment`.
    static func run(
        _ executable: String, _ arguments: [String], environment: [String: String], timeout: TimeInterval = 60
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
        var hung = false
        while process.isRunning {
            if Date() > deadline {
                hung = true
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
            status: process.terminationStatus, crashed: hung || process.terminationReason == .uncaughtSignal,
            stdout: capturedText(out), stderr: capturedText(err))
    }
}
