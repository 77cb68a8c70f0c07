import ArgumentParser
import Foundation
import NKTestSupport

/// Suite 10: I/O errors injected with libfiu into `nkclient` and into `nkserver`.
struct DiskFaultSuite: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "disk-faults",
        abstract:
            "Inject I/O errors (libfiu) into nkclient and nkserver; nothing acknowledged is lost, nothing rebuilt.")

    @OptionGroup var options: SuiteOptions

    @Option(help: "Rounds of writes, reads and syncs by nkclient under faults (default 300; 40 with --quick).")
    var rounds: Int?

    @Option(help: "Windows of faults in the running server (default 30; 6 with --quick).")
    var windows: Int?

    @Option(help: "Chance that one call of a fault point fails in nkclient.")
    var probability = 0.01

    @Option(help: "Chance that one call of a fault point fails in nkserver during a window.")
    var serverProbability = 0.05

    @Option(help: "Replicas writing and syncing.")
    var replicas = 3

    /// The calls SQLite makes on its files (pread64, pwrite64, ftruncate64 and fdatasync are the same
    /// points in libfiu), short reads and writes included: a short read of a page is how a transient
    /// `database disk image is malformed` comes about. Each fails at random.
    static let points = [
        "posix/io/rw/pread", "posix/io/rw/pread/reduce", "posix/io/rw/pwrite", "posix/io/rw/pwrite/reduce",
        "posix/io/sync/fsync", "posix/io/sync/fdatasync", "posix/io/rw/ftruncate", "posix/io/dir/unlink",
    ]

    /// `open` fails only under SQLite (a database, journal or WAL file that cannot be opened), for
    /// some commands and some windows. Not at random everywhere: libdispatch reads
    /// `/proc/TID/stat` every second and traps when that `open` fails, which no disk fault causes.
    static let openRule = "enable_stack_by_name name=posix/io/oc/open,func_name=sqlite3_step,pos_in_stack=-1"

    func validate() throws {
        guard (0...1).contains(probability), (0...1).contains(serverProbability) else {
            throw ValidationError("probabilities are between 0 and 1")
        }
        guard replicas >= 1 else { throw ValidationError("--replicas must be at least 1") }
    }

    func run() throws {
        let roundCount = rounds ?? (options.quick ? 40 : 300)
        let windowCount = windows ?? (options.quick ? 6 : 30)
        let start = Date()
        // Without libfiu this suite must fail, not pass: find it first.
        let fiu = try PreloadLibraries.fiu()
        let harness = try DiskFaultHarness(
            fiu: fiu, replicas: replicas, seed: options.seed, clientSpec: Self.spec(probability),
            serverSpec: Self.spec(serverProbability))
        try harness.clientFaults(rounds: roundCount)
        try harness.serverFaults(windows: windowCount)
        let end = try harness.finish()

        let tally = harness.tally
        if ProcessInfo.processInfo.environment["NKRELIABILITY_VERBOSE"] != nil {
            let report = harness.notes + harness.unclearSamples
            FileHandle.standardError.write(Data(report.map { $0 + "\n" }.joined().utf8))
        }
        var figures = Figures("disk-faults")
        figures.add("probability", probability)
        figures.add("server_probability", serverProbability)
        figures.add("client_commands", tally.clientCommands)
        figures.add("client_failures", tally.clientFailures)
        figures.add("server_windows", windowCount)
        figures.add("server_failures", tally.serverFailures)
        figures.add("server_start_failures", tally.startFailures)
        figures.add("malformed", tally.malformed)
        figures.add("injected", tally.clientFailures + tally.serverFailures + tally.startFailures)
        figures.add("writes", harness.ledger.okWrites)
        figures.add("acknowledged", harness.ledger.acknowledged.count)
        figures.add("lost", end.lostAcknowledged + end.check.lost)
        figures.add("local_lost", end.localLost)
        figures.add("duplicated", end.check.duplicated)
        figures.add("phantom", end.check.phantom)
        figures.add("indeterminate_kept", end.check.indeterminateKept)
        figures.add("databases_recreated", tally.recreated)
        figures.add("crashes", tally.crashes)
        figures.add("unclear_errors", tally.unclear)
        figures.add("integrity_failures", end.integrityFailures)
        figures.add("recovered", "\(tally.recovered)/\(windowCount)")
        figures.add("clean_restart", end.cleanRestart ? "yes" : "no")
        figures.add("converged", "\(end.converged)/\(replicas)")
        figures.add("seconds", Int(Date().timeIntervalSince(start)))
        var missed: [String] = []
        if end.lostAcknowledged + end.check.lost + end.localLost > 0 { missed.append("writes lost") }
        if end.check.duplicated + end.check.phantom > 0 { missed.append("duplicated or phantom notes") }
        if tally.recreated > 0 { missed.append("a database was deleted or made again") }
        if tally.crashes > 0 { missed.append("crashes: \(harness.notes.prefix(3).joined(separator: "; "))") }
        if tally.unclear > 0 {
            missed.append("unclear errors: \(harness.unclearSamples.prefix(3).joined(separator: " | "))")
        }
        if end.integrityFailures > 0 { missed.append("integrity_check failed") }
        if tally.recovered != windowCount { missed.append("the server did not recover after every window") }
        if !end.cleanRestart { missed.append("the server did not stop and start cleanly after the faults") }
        if end.converged != replicas { missed.append("replicas not converged") }
        if tally.clientFailures == 0 || tally.serverFailures == 0 { missed.append("no fault was injected") }
        if harness.ledger.acknowledged.isEmpty { missed.append("nothing was acknowledged") }
        try figures.finish(missed: missed)
    }

    /// libfiu's `enable_random` commands for every point.
    static func spec(_ probability: Double) -> [String] {
        points.map { "enable_random name=\($0),probability=\(probability)" }
    }
}
