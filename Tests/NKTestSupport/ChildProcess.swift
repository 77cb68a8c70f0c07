import Foundation
import NKProtocol

/// What a finished command printed and how it ended.
public struct CommandResult: Sendable, CustomStringConvertible {
    public var status: Int32
    public var stdout: String
    public var stderr: String

    public var succeeded: Bool { status == 0 }
    /// stdout without the final newline.
    public var output: String { stdout.trimmingCharacters(in: .newlines) }

    public var description: String { "exit \(status)\nstdout: \(stdout)\nstderr: \(stderr)" }
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

/// Lets Foundation free a `Process` that has ended. On Linux, swift-corelibs-foundation's `Process.run()`
/// makes a run loop source that retains the process, and only `waitUntilExit()` drops it: a harness that
/// only polls `isRunning` leaked every child's `Process`, arguments, environment copy and stdout pipe (an
/// open descriptor each). Found by LeakSanitizer (scripts/sanitizers.sh); the process has ended, so this
/// returns at once. Regression test: `ChildProcessTests`.
private func release(_ process: Process) {
    process.waitUntilExit()
}

/// The text of a file a program's output was captured in ("" when it cannot be read or is not UTF-8).
/// Through ``FileContents``: most captured stderr is empty, and `String(contentsOf:)` leaks 4 KiB per
/// empty file on Linux.
public func capturedText(_ file: URL) -> String {
    FileContents.read(atPath: file.path).flatMap { String(data: $0, encoding: .utf8) } ?? ""
}

/// Runs a program to its end and captures its output; `timeout` is multiplied by `harnessTimeScale`.
public func runCommand(
    _ executable: URL, _ arguments: [String], environment: [String: String] = [:], timeout: TimeInterval = 120
) throws -> CommandResult {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    for (key, value) in environment { env[key] = value }
    process.environment = env
    let out = FileManager.default.temporaryDirectory.appendingPathComponent("nk-out-\(UUID().uuidString)")
    let err = FileManager.default.temporaryDirectory.appendingPathComponent("nk-err-\(UUID().uuidString)")
    _ = FileManager.default.createFile(atPath: out.path, contents: nil)
    _ = FileManager.default.createFile(atPath: err.path, contents: nil)
    defer {
        try? FileManager.default.removeItem(at: out)
        try? FileManager.default.removeItem(at: err)
    }
    let outHandle = try FileHandle(forWritingTo: out)
    let errHandle = try FileHandle(forWritingTo: err)
    process.standardOutput = outHandle
    process.standardError = errHandle
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let limit = timeout * harnessTimeScale
    let deadline = Date().addingTimeInterval(limit)
    while process.isRunning {
        if Date() > deadline {
            process.terminate()
            process.waitUntilExit()
            throw HarnessError(
                "\(executable.lastPathComponent) \(arguments.joined(separator: " ")) ran past \(limit) s")
        }
        Thread.sleep(forTimeInterval: 0.005)
    }
    release(process)
    try outHandle.close()
    try errHandle.close()
    return CommandResult(
        status: process.terminationStatus,
        stdout: capturedText(out),
        stderr: capturedText(err)
    )
}

/// A process that runs in the background until stopped (a server, or a client to be killed).
public final class BackgroundProcess: @unchecked Sendable {
    public let process = Process()
    private let stdoutPipe = Pipe()
    private let stderrFile: URL

    public init(_ executable: URL, _ arguments: [String], environment: [String: String] = [:]) throws {
        process.executableURL = executable
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        process.environment = env
        stderrFile = FileManager.default.temporaryDirectory.appendingPathComponent("nk-bg-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: stderrFile.path, contents: nil)
        process.standardOutput = stdoutPipe
        process.standardError = try FileHandle(forWritingTo: stderrFile)
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    public var pid: Int32 { process.processIdentifier }
    public var isRunning: Bool { process.isRunning }

    /// Reads stdout up to the first newline, waiting at most `timeout`.
    public func firstLine(timeout: TimeInterval = 30) throws -> String {
        let handle = stdoutPipe.fileHandleForReading
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
            } else if !process.isRunning {
                break
            }
        }
        throw HarnessError(
            "no line on stdout of \(process.executableURL?.lastPathComponent ?? "?") (stderr: \(stderrText()))")
    }

    public func stderrText() -> String { capturedText(stderrFile) }

    /// Sends `signal` and waits for the process to end.
    @discardableResult
    public func stop(signal: Int32 = SIGTERM, timeout: TimeInterval = 20) -> Int32 {
        if process.isRunning { kill(process.processIdentifier, signal) }
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        release(process)
        try? FileManager.default.removeItem(at: stderrFile)
        return process.terminationStatus
    }

    /// Waits for the process to end by itself.
    public func wait(timeout: TimeInterval = 60) throws -> Int32 {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning {
            if Date() > deadline { throw HarnessError("process did not end within \(timeout) s") }
            Thread.sleep(forTimeInterval: 0.01)
        }
        release(process)
        return process.terminationStatus
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        release(process)
    }
}

/// Polls `condition` every 20 ms for up to `seconds`; true as soon as it holds.
public func waitUntil(_ seconds: TimeInterval, _ condition: () throws -> Bool) throws -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try condition() { return true }
        Thread.sleep(forTimeInterval: 0.02)
    }
    return try condition()
}
