import Foundation
import NKProtocol

/// What a finished command printed and how it ended.
public struct CommandResult: Sendable, CustomStringConvertible {
    public var end: SpawnedProcess.End
    public var stdout: String
    public var stderr: String

    /// The exit status, or the number of the signal that ended it.
    public var status: Int32 { end.status }
    public var succeeded: Bool { end == .exited(0) }
    /// stdout without the final newline.
    public var output: String { stdout.trimmingCharacters(in: .newlines) }

    public var description: String { "\(end)\nstdout: \(stdout)\nstderr: \(stderr)" }
}

/// Errors of the test harness itself.
public struct HarnessError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// How many times longer than usual the harness waits for programs: `$NK_TIME_SCALE`, default 1.
/// `scripts/sanitizers.sh` sets it, because binaries built with ThreadSanitizer or AddressSanitizer
/// run several times slower (a `nkclient sync` takes about 1.3 s instead of 70 ms under TSan).
public let harnessTimeScale: Double = {
    guard let text = ProcessInfo.processInfo.environment["NK_TIME_SCALE"], let scale = Double(text), scale >= 1
    else { return 1 }
    return scale
}()

/// The text of a file a program's output was captured in ("" when it cannot be read or is not UTF-8).
/// Through ``FileContents``: most captured stderr is empty, and `String(contentsOf:)` leaks 4 KiB per
/// empty file on Linux.
public func capturedText(_ file: URL) -> String {
    FileContents.read(atPath: file.path).flatMap { String(data: $0, encoding: .utf8) } ?? ""
}

/// Runs a program to its end and captures its output; `timeout` is multiplied by `harnessTimeScale`.
/// Throws when it runs past it (it is killed).
public func runCommand(
    _ executable: URL, _ arguments: [String], environment: [String: String] = [:], timeout: TimeInterval = 120
) throws -> CommandResult {
    let run = try captureRun(executable, arguments, environment: environment, timeout: timeout)
    if run.timedOut {
        throw HarnessError(
            "\(executable.lastPathComponent) \(arguments.joined(separator: " ")) ran past \(timeout * harnessTimeScale) s"
        )
    }
    return CommandResult(end: run.end, stdout: run.stdout, stderr: run.stderr)
}

/// A program run to its end by ``captureRun(_:_:environment:timeout:onTimeout:)``.
public struct CapturedRun: Sendable {
    public var end: SpawnedProcess.End
    public var stdout: String
    public var stderr: String
    /// It ran past its timeout and was killed (`end` is then SIGKILL).
    public var timedOut: Bool
}

/// Runs `executable arguments` (with `environment` added) to its end, stdin on /dev/null, stdout and
/// stderr captured in temporary files. One still running after `timeout` × `harnessTimeScale` is
/// killed with SIGKILL, once `onTimeout` was called with its pid (while it still runs, to say what
/// it was doing).
public func captureRun(
    _ executable: URL, _ arguments: [String], environment: [String: String] = [:], timeout: TimeInterval,
    onTimeout: (Int32) -> Void = { _ in }
) throws -> CapturedRun {
    let out = FileManager.default.temporaryDirectory.appendingPathComponent("nk-out-\(UUID().uuidString)")
    let err = FileManager.default.temporaryDirectory.appendingPathComponent("nk-err-\(UUID().uuidString)")
    defer {
        try? FileManager.default.removeItem(at: out)
        try? FileManager.default.removeItem(at: err)
    }
    let child = try SpawnedProcess(
        executable, arguments, environment: environment, stdout: .file(out.path), stderr: .file(err.path))
    var timedOut = false
    if child.waitForEnd(seconds: timeout * harnessTimeScale) == nil {
        timedOut = true
        onTimeout(child.pid)
        child.send(SIGKILL)
    }
    let end = child.waitForEnd()
    return CapturedRun(end: end, stdout: capturedText(out), stderr: capturedText(err), timedOut: timedOut)
}

/// A process that runs in the background until stopped (a server, or a client to be killed), its
/// stdout on a pipe (see ``firstLine(timeout:)``) and its stderr in a temporary file.
public final class BackgroundProcess: @unchecked Sendable {
    private let child: SpawnedProcess
    private let stderrFile: URL

    public init(_ executable: URL, _ arguments: [String], environment: [String: String] = [:]) throws {
        stderrFile = FileManager.default.temporaryDirectory.appendingPathComponent("nk-bg-\(UUID().uuidString)")
        child = try SpawnedProcess(
            executable, arguments, environment: environment, stdout: .pipe, stderr: .file(stderrFile.path))
    }

    public var pid: Int32 { child.pid }
    public var isRunning: Bool { child.isRunning }
    /// How it ended (nil while it runs): an exit or a signal.
    public var end: SpawnedProcess.End? { child.end }

    /// Reads stdout up to the first newline, waiting at most `timeout`.
    public func firstLine(timeout: TimeInterval = 30) throws -> String {
        guard let handle = child.output else { throw HarnessError("no stdout pipe") }
        BlockingWaits.check("reading the first line of \(child.executable.lastPathComponent)")
        var buffer = Data()
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            var pollDescriptor = pollfd(fd: handle.fileDescriptor, events: Int16(POLLIN), revents: 0)
            if poll(&pollDescriptor, 1, 50) > 0 {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                buffer.append(chunk)
                if let newline = buffer.firstIndex(of: 0x0A) {
                    return String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self)
                }
            } else if !child.isRunning {
                break
            }
        }
        throw HarnessError("no line on stdout of \(child.executable.lastPathComponent) (stderr: \(stderrText()))")
    }

    public func stderrText() -> String { capturedText(stderrFile) }

    /// Sends `signal` and returns at once (SIGHUP, say); false when the process has ended.
    @discardableResult
    public func send(_ signal: Int32) -> Bool { child.send(signal) }

    /// Sends `signal`, waits up to `timeout` for the process to end (then kills it), and returns its
    /// exit status or the number of the signal that ended it.
    @discardableResult
    public func stop(signal: Int32 = SIGTERM, timeout: TimeInterval = 20) -> Int32 {
        child.send(signal)
        if child.waitForEnd(seconds: timeout) == nil { child.send(SIGKILL) }
        try? FileManager.default.removeItem(at: stderrFile)
        return child.waitForEnd().status
    }

    /// Waits for the process to end by itself; returns its exit status or the number of the signal
    /// that ended it.
    public func wait(timeout: TimeInterval = 60) throws -> Int32 {
        guard let end = child.waitForEnd(seconds: timeout) else {
            throw HarnessError("process did not end within \(timeout) s")
        }
        return end.status
    }

    deinit {
        // The child, when it still runs, is killed and reaped as it goes.
        try? FileManager.default.removeItem(at: stderrFile)
    }
}

/// Polls `condition` every 20 ms for up to `seconds`; true as soon as it holds.
public func waitUntil(_ seconds: TimeInterval, _ condition: () throws -> Bool) throws -> Bool {
    BlockingWaits.check("waitUntil")
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try condition() { return true }
        Thread.sleep(forTimeInterval: 0.02)
    }
    return try condition()
}
