import Foundation
import NKTestSupport

/// Real `nkserver serve` processes on ephemeral ports of 127.0.0.1 over one store: a SQLite file in
/// a temporary folder, or a fresh PostgreSQL database (dropped at the end) that several instances
/// may serve at once; plus the admin commands and the /proc figures the benchmark reads.
final class BenchServer: @unchecked Sendable {
    let binary: URL
    let folder: TemporaryFolder
    let store: BenchStore
    /// The base URLs of the running instances, in start order.
    private(set) var urls: [String] = []
    private var processes: [BackgroundProcess] = []

    /// Makes the folder, and the PostgreSQL database for `.postgres`; the schema is created by the
    /// first admin command or by `start()`.
    init(binary: URL, label: String, kind: BenchStoreKind) throws {
        self.binary = binary
        folder = try TemporaryFolder("nkbench-\(label)")
        switch kind {
        case .sqlite: store = .sqlite(path: folder.path("server.sqlite"))
        case .postgres:
            do {
                store = .postgres(url: try TestPostgres.createDatabase())
            } catch {
                folder.remove()
                throw error
            }
        }
    }

    /// The SQLite file (nil on PostgreSQL).
    var databasePath: String? {
        if case .sqlite(let path) = store { return path }
        return nil
    }

    /// The first instance's base URL.
    var url: String { urls.first ?? "" }

    /// Starts `instances` `nkserver serve --port 0` processes on the store, each waited for until
    /// its `listening on` line.
    func start(instances: Int = 1) throws {
        for _ in 0..<instances {
            let process = try BackgroundProcess(
                binary,
                ["serve"] + store.arguments + ["--host", "127.0.0.1", "--port", "0", "--log-level", "error"])
            let line = try process.firstLine()
            guard line.hasPrefix("listening on http://127.0.0.1:") else {
                process.stop(signal: SIGKILL)
                throw HarnessError("unexpected first line from nkserver: \(line)")
            }
            urls.append(String(line.dropFirst("listening on ".count)))
            processes.append(process)
        }
    }

    /// The first instance's process id (0 when stopped).
    var pid: Int32 { processes.first?.pid ?? 0 }

    func stop() {
        processes.forEach { $0.stop() }
        processes = []
        urls = []
    }

    /// Runs `nkserver ARGS` on the store and returns its stdout; throws when it fails.
    @discardableResult
    func admin(_ arguments: [String]) throws -> String {
        let result = try runCommand(binary, arguments + store.arguments, timeout: 600)
        guard result.succeeded else { throw HarnessError("nkserver \(arguments.first ?? "") failed: \(result)") }
        return result.output
    }

    /// Creates a user and returns its token.
    func addUser(_ name: String) throws -> String { try admin(["user", "add", name]) }

    /// user + system CPU seconds the first instance has used so far.
    func cpuSeconds() -> Double { ProcStat.cpuSeconds(pid: pid) }

    /// user + system CPU seconds of each instance so far, in start order.
    func cpuSecondsPerInstance() -> [Double] { processes.map { ProcStat.cpuSeconds(pid: $0.pid) } }

    /// The first instance's peak resident set (VmHWM), in bytes.
    func peakRSSBytes() -> Int { ProcStat.peakRSSBytes(pid: pid) }

    /// Each instance's peak resident set, in bytes, in start order.
    func peakRSSBytesPerInstance() -> [Int] { processes.map { ProcStat.peakRSSBytes(pid: $0.pid) } }

    deinit {
        processes.forEach { $0.stop(signal: SIGKILL) }
        if case .postgres(let url) = store { TestPostgres.dropDatabase(url) }
        folder.remove()
    }
}

/// Figures of a running process from /proc.
enum ProcStat {
    /// user + system CPU seconds of `pid`; with `reapedChildren`, also those of the children it has
    /// waited for (cutime, cstime).
    static func cpuSeconds(pid: Int32, reapedChildren: Bool = false) -> Double {
        guard let fields = fields(pid), fields.count > 14 else { return 0 }
        // After the command: state is field 0, ppid 1, utime 11, stime 12, cutime 13, cstime 14.
        let ticks = (reapedChildren ? 11...14 : 11...12).compactMap { Double(fields[$0]) }.reduce(0, +)
        return ticks / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// The fields of /proc/PID/stat after the command name.
    static func fields(_ pid: Int32) -> [Substring]? {
        guard pid > 0, let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = text.lastIndex(of: ")")
        else { return nil }
        return text[text.index(after: close)...].split(separator: " ")
    }

    /// CPU seconds of a process tree one level deep: `pid`, the children it has reaped, and the
    /// children alive now. PostgreSQL's postmaster forks one process per connection, so this is
    /// the whole server's CPU.
    static func treeCPUSeconds(pid: Int32) -> Double {
        let children = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap {
            Int32($0)
        }.filter { child in fields(child).map { $0.count > 1 && $0[1] == Substring(String(pid)) } ?? false }
        return cpuSeconds(pid: pid, reapedChildren: true) + children.map { cpuSeconds(pid: $0) }.reduce(0, +)
    }

    /// CPU seconds (user and system) of every child this process has reaped so far.
    static func reapedChildrenCPUSeconds() -> Double {
        var usage = rusage()
        guard getrusage(__rusage_who_t(RUSAGE_CHILDREN.rawValue), &usage) == 0 else { return 0 }
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
            + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
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

/// A child process run to its end with its own peak RSS.
///
/// Not `wait4`'s `ru_maxrss`: Linux folds into a child's the high-water mark of the memory it
/// replaced at `exec`, which after `posix_spawn` (or `fork`) is nkbench's own. So `ru_maxrss` is
/// never below nkbench's peak at the time, and nkbench holds far more after loading PostgreSQL (one
/// CSV string of 100,000 rows) than after loading SQLite: that, not the client, made the pull's
/// client figure 173 MB on PostgreSQL and 65 MB on SQLite. The child's `VmHWM` in `/proc` counts
/// only its own memory since `exec`; it is read every 10 ms until the child exits (it never
/// decreases, so the last reading is the peak, short of the child's last few milliseconds).
struct MeasuredRun {
    var status: Int32
    var stdout: String
    var seconds: Double
    var peakRSSBytes: Int

    /// Runs `executable arguments` with `environment` added, stdout to a file, stderr discarded.
    static func run(_ executable: URL, _ arguments: [String], environment: [String: String]) throws -> MeasuredRun {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("nkbench-out-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        let start = Date()
        let child = try SpawnedProcess(
            executable, arguments, environment: environment, stdout: .file(output.path), stderr: .discard)
        var peak = 0
        var end: SpawnedProcess.End?
        while end == nil {
            // Read before reaping (`end` reaps it once it ended), so the pid is still the child's.
            peak = max(peak, ProcStat.peakRSSBytes(pid: child.pid))
            end = child.end
            if end == nil { usleep(10_000) }
        }
        let seconds = Date().timeIntervalSince(start)
        let status = end.map { $0.isSignal ? 128 + $0.status : $0.status } ?? -1
        return MeasuredRun(status: status, stdout: capturedText(output), seconds: seconds, peakRSSBytes: peak)
    }
}
