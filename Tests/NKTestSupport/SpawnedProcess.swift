import Foundation

/// A child process started with `posix_spawn` and reaped with `waitpid`: the one way the harness (the
/// tests, `nkbench`, `nkreliability`) starts programs.
///
/// Not Foundation's `Process`: on Linux, `Process.run()` and `waitUntilExit()` give the calling
/// thread's run loop a weak-reference side table that LeakSanitizer reports as a leak (a false
/// positive the sanitizer run had to suppress, RELIABILITY.md section 9), and an ended `Process` is
/// kept alive until someone calls `waitUntilExit()`.
///
/// The child starts with stdin on /dev/null, stdout and stderr as asked, no other descriptor of
/// ours (everything from 3 up is closed in it), every signal at its default action and none blocked
/// (a test runner that once ran a live Hummingbird server ignores SIGTERM and SIGINT, and a
/// Dispatch thread blocks signals: neither is passed on), in a process group of its own (as
/// Foundation did). It is reaped only here, under a lock, so its pid stays its own until then and a
/// signal never reaches another process; `deinit` kills and reaps one still running: no zombie.
public final class SpawnedProcess: @unchecked Sendable {
    /// How a process ended.
    public enum End: Sendable, Equatable, CustomStringConvertible {
        /// It exited with this status.
        case exited(Int32)
        /// It was ended by this signal (a crash, or a kill).
        case signalled(Int32)

        /// The exit status, or the signal's number (as Foundation's `terminationStatus`).
        public var status: Int32 {
            switch self {
            case .exited(let status): status
            case .signalled(let signal): signal
            }
        }

        /// Ended by a signal rather than an exit.
        public var isSignal: Bool {
            if case .signalled = self { return true }
            return false
        }

        public var description: String {
            switch self {
            case .exited(let status): "exit \(status)"
            case .signalled(let signal): "signal \(signal)"
            }
        }
    }

    /// Where the child's stdout or stderr goes.
    public enum Output: Sendable {
        /// /dev/null.
        case discard
        /// This file, created or truncated.
        case file(String)
        /// A pipe whose reading end is ``output`` (stdout only).
        case pipe
    }

    public let pid: pid_t
    public let executable: URL
    /// The reading end of stdout's pipe, with `.pipe`; closed when this object goes.
    public let output: FileHandle?

    private let lock = NSLock()
    private var ended: End?

    /// Starts `executable arguments` with `environment` added to this process's environment.
    public init(
        _ executable: URL, _ arguments: [String], environment: [String: String] = [:], stdout: Output = .discard,
        stderr: Output = .discard
    ) throws {
        if case .pipe = stderr { throw HarnessError("SpawnedProcess: a pipe is for stdout only") }
        self.executable = executable
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var pipeEnds: [Int32] = [-1, -1]
        if case .pipe = stdout {
            guard pipe(&pipeEnds) == 0 else { throw HarnessError("pipe: errno \(errno)") }
            // Close-on-exec, so that no program another thread starts meanwhile holds them.
            for end in pipeEnds { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        for (descriptor, output) in [(Int32(1), stdout), (2, stderr)] {
            switch output {
            case .discard: posix_spawn_file_actions_addopen(&actions, descriptor, "/dev/null", O_WRONLY, 0)
            case .file(let path):
                posix_spawn_file_actions_addopen(&actions, descriptor, path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
            case .pipe: posix_spawn_file_actions_adddup2(&actions, pipeEnds[1], descriptor)
            }
        }
        // Nothing else of ours: the test runner's sockets, pipes and databases stay out of the child
        // (the pipe's ends too, after the dup2 above).
        Self.closeFrom3(&actions)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(
            &attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP))

        var environmentValues = ProcessInfo.processInfo.environment
        for (key, value) in environment { environmentValues[key] = value }
        let argv = ([executable.path] + arguments).map { strdup($0) } + [nil]
        let envp = environmentValues.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable.path, &actions, &attributes, argv, envp)
        if pipeEnds[1] >= 0 { close(pipeEnds[1]) }
        guard spawned == 0 else {
            if pipeEnds[0] >= 0 { close(pipeEnds[0]) }
            throw HarnessError("cannot start \(executable.path): \(String(cString: strerror(spawned)))")
        }
        self.pid = pid
        output = pipeEnds[0] >= 0 ? FileHandle(fileDescriptor: pipeEnds[0], closeOnDealloc: true) : nil
    }

    /// How it ended, reaping it if it just did; nil while it runs.
    public var end: End? { lock.withLock { reap(WNOHANG) } }

    public var isRunning: Bool { end == nil }

    /// Waits for it to end, for as long as it takes, blocking this thread (see ``BlockingWaits``).
    @discardableResult
    public func waitForEnd() -> End {
        if let end { return end }
        BlockingWaits.check("waiting for \(executable.lastPathComponent)")
        return waitForEndUnchecked()
    }

    @discardableResult
    func waitForEndUnchecked() -> End {
        if let end { return end }
        // Wait until it can be reaped without reaping it (WNOWAIT), then reap it under the lock.
        var info = siginfo_t()
        while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) < 0 && errno == EINTR {}
        while true {
            if let end { return end }
            Thread.sleep(forTimeInterval: 0.001)
        }
    }

    /// Waits up to `seconds` for it to end (polling every 5 ms), blocking this thread (see
    /// ``BlockingWaits``); nil when it still runs.
    public func waitForEnd(seconds: TimeInterval) -> End? {
        if let end { return end }
        BlockingWaits.check("waiting for \(executable.lastPathComponent)")
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            if let end { return end }
            if Date() > deadline { return nil }
            Thread.sleep(forTimeInterval: 0.005)
        }
    }

    /// Sends `signal` unless it has been reaped (its pid may then be another process's).
    @discardableResult
    public func send(_ signal: Int32) -> Bool {
        lock.withLock { ended == nil && kill(pid, signal) == 0 }
    }

    /// Adds "close every descriptor from 3 up" to `actions`: glibc's
    /// `posix_spawn_file_actions_addclosefrom_np` (2.34 and later; a GNU extension Swift does not
    /// import, hence `dlsym`), else a close for each descriptor open now.
    private static func closeFrom3(_ actions: inout posix_spawn_file_actions_t) {
        typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32
        if let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") {
            _ = unsafeBitCast(symbol, to: AddCloseFrom.self)(&actions, 3)
            return
        }
        let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        // (The listing's own descriptor is closed by then: glibc ignores closing a closed one.)
        for descriptor in open.compactMap({ Int32($0) }) where descriptor > 2 {
            posix_spawn_file_actions_addclose(&actions, descriptor)
        }
    }

    /// Call with the lock held. `ECHILD` (someone else reaped it: nothing of ours does) counts as an
    /// exit with status -1.
    private func reap(_ options: Int32) -> End? {
        if let ended { return ended }
        var status: Int32 = 0
        var result: pid_t
        repeat {
            result = waitpid(pid, &status, options)
        } while result < 0 && errno == EINTR
        if result < 0 {
            ended = .exited(-1)
        } else if result == pid {
            // The <sys/wait.h> macros, which Swift does not import: the low 7 bits are the signal
            // that ended it (0 for an exit), the next 8 the exit status.
            ended = status & 0x7f == 0 ? .exited((status >> 8) & 0xff) : .signalled(status & 0x7f)
        }
        return ended
    }

    deinit {
        // Killed, it ends at once: reaping it blocks no thread for long, wherever the last reference goes.
        send(SIGKILL)
        waitForEndUnchecked()
    }
}
