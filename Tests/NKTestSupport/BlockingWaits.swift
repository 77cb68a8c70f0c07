import Foundation

/// Where the harness may block a thread while it waits for a child process.
///
/// The harness's waits (``SpawnedProcess/waitForEnd()``, ``runCommand(_:_:environment:timeout:)``,
/// ``BackgroundProcess/firstLine(timeout:)``, ``waitUntil(_:_:)``) block the calling thread. In the
/// test runner that must never be a thread of Swift's cooperative pool: it has one thread per core
/// (two here), and two live tests blocked in `waitpid` would starve every async test beside them. So
/// a test that runs processes synchronously carries the `.processes` trait (NKTestTraits), which runs
/// it on threads of its own and sets ``allowed``; async code awaits the async
/// ``runCommand(_:_:environment:timeout:)`` or ``onThreadOfItsOwn(name:_:)`` instead, which wait on a
/// thread of their own.
///
/// A blocking wait inside a task without the trait stops the test runner at once with a message
/// naming the fix, rather than slowing every other test down unseen. Outside the test runner (nkbench,
/// nkreliability) and on threads that are not running a task, waits are not checked.
public enum BlockingWaits {
    /// Set by the `.processes` trait around a test that runs on its own threads.
    @TaskLocal public static var allowed = false

    /// Whether this process is the test runner (`…PackageTests.xctest`).
    static let checked: Bool = CommandLine.arguments.first.map { $0.contains(".xctest") } ?? false

    /// Whether this thread may block: outside the test runner, with the trait, or not in a task.
    public static var mayBlock: Bool {
        !checked || allowed || withUnsafeCurrentTask { $0 == nil }
    }

    /// Stops the test runner when called from a task of the cooperative pool without the trait.
    public static func check(_ what: @autoclosure () -> String) {
        guard !mayBlock else { return }
        fatalError(
            "\(what()) would block a thread of Swift's cooperative pool: give the test (or its suite) the "
                + ".processes trait from NKTestTraits, or await the async version")
    }
}

/// Runs `body`, which may block (in `waitpid`, `recv`, `poll`), on a new thread of its own, and
/// resumes the caller with its result: how async code calls something blocking without holding a
/// thread of Swift's cooperative pool.
public func onThreadOfItsOwn<T: Sendable>(
    name: String = "nk-blocking", _ body: @escaping @Sendable () throws -> T
) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread { continuation.resume(with: Result { try body() }) }
        thread.name = name
        thread.start()
    }
}

/// Runs a program to its end and captures its output, as the blocking ``runCommand(_:_:environment:timeout:)``,
/// but waits on a thread of its own: for async tests without the `.processes` trait.
public func runCommand(
    _ executable: URL, _ arguments: [String], environment: [String: String] = [:], timeout: TimeInterval = 120
) async throws -> CommandResult {
    let run = try await onThreadOfItsOwn(name: "nk-run") {
        try captureRun(executable, arguments, environment: environment, timeout: timeout)
    }
    if run.timedOut {
        throw HarnessError(
            "\(executable.lastPathComponent) \(arguments.joined(separator: " ")) ran past \(timeout * harnessTimeScale) s"
        )
    }
    return CommandResult(end: run.end, stdout: run.stdout, stderr: run.stderr)
}
