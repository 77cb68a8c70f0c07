import Foundation
import NKTestSupport

/// A real `nkserver serve` process on an ephemeral port of 127.0.0.1, with its database in a
/// temporary folder, plus the admin commands and the /proc figures the benchmark reads.
final class BenchServer: @unchecked Sendable {
    let binary: URL
    let folder: TemporaryFolder
    let databasePath: String
    private(set) var url = ""
    private var process: BackgroundProcess?

    /// Makes the folder; the database is created by the first admin command or by `start()`.
    init(binary: URL, label: String) throws {
        self.binary = binary
        folder = try TemporaryFolder("nkbench-\(label)")
        databasePath = folder.path("server.sqlite")
    }

    /// Starts `nkserver serve --port 0` and waits for its `listening on` line.
    func start() throws {
        let process = try BackgroundProcess(
            binary, ["serve", "--db", databasePath, "--host", "127.0.0.1", "--port", "0", "--log-level", "error"])
        let line = try process.firstLine()
        guard line.hasPrefix("listening on http://127.0.0.1:") else {
            process.stop(signal: SIGKILL)
            throw HarnessError("unexpected first line from nkserver: \(line)")
        }
        url = String(line.dropFirst("listening on ".count))
        self.process = process
    }

    /// The server's process id (0 when stopped).
    var pid: Int32 { process?.pid ?? 0 }

    func stop() {
        process?.stop()
        process = nil
    }

    /// Runs `nkserver ARGS --db DB` and returns its stdout; throws when it fails.
    @discardableResult
    func admin(_ arguments: [String]) throws -> String {
        let result = try runCommand(binary, arguments + ["--db", databasePath], timeout: 600)
        guard result.succeeded else { throw HarnessError("nkserver \(arguments.first ?? "") failed: \(result)") }
        return result.output
    }

    /// Creates a user and returns its token.
    func addUser(_ name: String) throws -> String { try admin(["user", "add", name]) }

    /// user + system CPU seconds the server has used so far.
    func cpuSeconds() -> Double { ProcStat.cpuSeconds(pid: pid) }

    /// The server's peak resident set (VmHWM), in bytes.
    func peakRSSBytes() -> Int { ProcStat.peakRSSBytes(pid: pid) }

    deinit {
        process?.stop(signal: SIGKILL)
        folder.remove()
    }
}

/// Figures of a running process from /proc.
enum ProcStat {
    static func cpuSeconds(pid: Int32) -> Double {
        guard pid > 0, let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = text.lastIndex(of: ")")
        else { return 0 }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // After the command: state is field 0, utime field 11, stime field 12.
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    static func peakRSSBytes(pid: Int32) -> Int {
        guard pid > 0, let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let kilobytes = line.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
            return kilobytes * 1024
        }
        return 0
    }
}

/// A child process run to its end with its peak RSS from `wait4`'s rusage.
struct MeasuredRun {
    var status: Int32
    var stdout: String
    var seconds: Double
    var peakRSSBytes: Int

    /// Runs `executable arguments` with `environment` added, stdout to a file, stderr discarded.
    static func run(_ executable: URL, _ arguments: [String], environment: [String: String]) throws -> MeasuredRun {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("nkbench-out-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        let argv = ([executable.path] + arguments).map { strdup($0) } + [nil]
        let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let start = Date()
        let spawned = posix_spawn(&pid, executable.path, &actions, nil, argv, envp)
        guard spawned == 0 else { throw HarnessError("cannot start \(executable.path): errno \(spawned)") }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
        let seconds = Date().timeIntervalSince(start)
        let exited = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        let text = capturedText(output)
        return MeasuredRun(status: exited, stdout: text, seconds: seconds, peakRSSBytes: Int(usage.ru_maxrss) * 1024)
    }
}
