import Foundation
import GRDB
import NKTestSupport

/// The two phases of the disk-fault suite and the checks after them.
///
/// Client phase: each `nkclient` write, read and sync runs under libfiu with every point of
/// ``DiskFaultSuite/points`` failing at random. Server phase: `nkserver` runs under libfiu's remote
/// control; in each window the points fail at random while unfaulted replicas write and sync and
/// raw requests probe it, and every third window it is restarted with the faults already on.
final class DiskFaultHarness {
    struct Tally {
        var clientCommands = 0
        var clientFailures = 0
        var serverFailures = 0
        var startFailures = 0
        var malformed = 0
        var recreated = 0
        var crashes = 0
        var unclear = 0
        var recovered = 0
    }

    struct End {
        var lostAcknowledged = 0
        var localLost = 0
        var check = FaultLedger.Check()
        var integrityFailures = 0
        var cleanRestart = false
        var converged = 0
    }

    private struct Laptop {
        var researcher: Researcher
        var replicaID: String
        var identity: String?
        var own: [String] = []
        var recreated = false
    }

    private let fiu: Fiu
    private let clientSpec: [String]
    private let serverSpec: [String]
    private let server: PreloadedServer
    private let fifoPrefix: String
    private var laptops: [Laptop] = []
    private let probe: Researcher
    private let probeToken: String
    private var quotes: [(post: String, quote: String)] = []
    private var rng: SeededRandom
    private var serverIdentity: String?
    private var serverReplicaID = ""
    private var serverRecreated = false

    private(set) var ledger = FaultLedger()
    private(set) var tally = Tally()
    /// What the crashes printed, for the report.
    private(set) var notes: [String] = []
    private(set) var unclearSamples: [String] = []

    init(
        fiu: Fiu, replicas: Int, seed: UInt64, clientSpec: [String], serverSpec: [String]
    ) throws {
        self.fiu = fiu
        self.clientSpec = clientSpec
        self.serverSpec = serverSpec
        rng = SeededRandom(seed: seed)
        server = try PreloadedServer()
        fifoPrefix = server.folder.path("fiu")
        if let failure = try server.start(environment: fiu.environment(enabling: [], fifo: fifoPrefix)) {
            throw HarnessError("nkserver did not start under libfiu: \(failure.stderr)")
        }
        serverIdentity = FaultProbe.identity(server.databasePath)
        serverReplicaID = try Self.serverReplicaID(server.databasePath)
        probe = try Researcher("probe")
        probeToken = try server.addUser("probe")
        try probe.ok("init", "--server", server.url, "--token", probeToken)
        for index in 0..<replicas {
            let researcher = try Researcher("f\(index)")
            try researcher.ok("init", "--server", server.url, "--token", try server.addUser("f\(index)"))
            try researcher.ok("sync")
            laptops.append(
                Laptop(
                    researcher: researcher, replicaID: try researcher.config()["replica"] ?? "",
                    identity: FaultProbe.identity(researcher.databasePath)))
        }
        quotes = try uniqueQuotes(laptops[0].researcher)
    }

    // MARK: Client phase

    func clientFaults(rounds: Int) throws {
        for _ in 0..<rounds {
            let index = Int.random(in: 0..<laptops.count, using: &rng)
            for _ in 0..<Int.random(in: 1...2, using: &rng) { try write(index, faults: true) }
            _ = try command(index, Bool.random(using: &rng) ? ["status"] : ["notes", "--json"], faults: true)
            _ = try command(index, ["sync"], faults: true)
            try ledger.recordAcknowledged(laptops[index].researcher.databasePath, own: Set(laptops[index].own))
        }
    }

    /// A new note, or an edit of one of the laptop's own notes.
    private func write(_ index: Int, faults: Bool) throws {
        let text = ledger.text("f\(index)")
        if !laptops[index].own.isEmpty, Int.random(in: 0..<3, using: &rng) == 0 {
            let id = laptops[index].own.randomElement(using: &rng)!
            let run = try command(index, ["edit", id, "--note", text], faults: faults)
            ledger.wrote(id, text, ok: run.succeeded)
        } else {
            let target = quotes.randomElement(using: &rng)!
            let run = try command(
                index, ["annotate", target.post, "--quote", target.quote, "--note", text], faults: faults)
            let id = run.succeeded ? run.stdout.trimmingCharacters(in: .whitespacesAndNewlines) : nil
            if let id { laptops[index].own.append(id) }
            ledger.wrote(id, text, ok: run.succeeded)
        }
    }

    /// Runs `nkclient` for a laptop, under libfiu when `faults` (one command in five also meets
    /// SQLite's `open` failing), and judges how it ended.
    private func command(_ index: Int, _ arguments: [String], faults: Bool) throws -> ProgramRun {
        var spec = clientSpec
        if faults, Int.random(in: 0..<5, using: &rng) == 0 { spec.append(DiskFaultSuite.openRule) }
        let environment = ["NKCLIENT_HOME": laptops[index].researcher.home.url.path, "SWIFT_BACKTRACE": "enable=no"]
        let run = try ProgramRun.run(
            TestPaths.nkclient.path, arguments,
            environment: faults ? environment.merging(fiu.environment(enabling: spec)) { $1 } : environment,
            onHang: hangReport)
        judge(run, what: "nkclient \(arguments[0])")
        if faults {
            tally.clientCommands += 1
            if !run.succeeded && !run.crashed { tally.clientFailures += 1 }
        } else if !run.succeeded && !run.crashed {
            // Without faults in the client, only a sync meets the server's.
            guard arguments[0] == "sync" else {
                throw HarnessError("nkclient \(arguments[0]) failed without faults: \(run)")
            }
            tally.serverFailures += 1
        }
        checkIdentity(index)
        return run
    }

    /// What a hung `nkclient` and the server were doing at that moment, for the report: where the
    /// client's and the server's threads waited (with gdb installed, the client's stacks too), and
    /// whether the server answered `GET /v1/me` (a database read) within 10 s. Tells a server that
    /// stopped answering from a client that hung.
    private func hangReport(_ pid: Int32) -> String {
        var report = "nkclient " + ProgramRun.threadStates(of: pid)
        if let stacks = Self.stacks(of: pid) { report += "; stacks " + stacks }
        guard let serverPID = server.process?.pid, server.isRunning else { return report + "; no server running" }
        let started = Date()
        let answer = try? runCommand(
            URL(fileURLWithPath: "/usr/bin/curl"),
            [
                "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "10", "-H",
                "Authorization: Bearer \(probeToken)", server.url + "/v1/me",
            ], timeout: 20)
        let milliseconds = Int(Date().timeIntervalSince(started) * 1000)
        report += "; GET /v1/me: \(answer.map { $0.stdout } ?? "no answer") after \(milliseconds) ms"
        return report + "; nkserver " + ProgramRun.threadStates(of: serverPID)
    }

    /// The innermost frames of every thread of a running process, by gdb when it is installed:
    /// `thread: frame < caller < ...`, threads separated by ` | `. This is what named the one hang this
    /// suite met (a deadlock inside libfiu, see ``Fiu/unwinderRule``).
    static func stacks(of pid: Int32, frames: Int = 24) -> String? {
        let gdb = "/usr/bin/gdb"
        guard FileManager.default.isExecutableFile(atPath: gdb),
            let result = try? runCommand(
                URL(fileURLWithPath: gdb), ["-p", String(pid), "-batch", "-ex", "thread apply all bt \(frames)"],
                timeout: 60)
        else { return nil }
        var threads: [[String]] = []
        for line in result.stdout.split(separator: "\n") {
            if line.hasPrefix("Thread ") {
                threads.append([])
            } else if line.hasPrefix("#"), !threads.isEmpty {
                // "#3  0x00007f... in name (args) from lib" or "#0  name (args) at file:line"
                var frame = line.drop { $0 != " " }.drop { $0 == " " }
                if frame.hasPrefix("0x"), let range = frame.range(of: " in ") { frame = frame[range.upperBound...] }
                threads[threads.count - 1].append(String(frame.prefix { $0 != " " && $0 != "(" }))
            }
        }
        return threads.isEmpty ? nil : threads.map { $0.joined(separator: " < ") }.joined(separator: " | ")
    }

    private func judge(_ run: ProgramRun, what: String) {
        if run.crashed {
            tally.crashes += 1
            notes.append("\(what): \(run)")
        } else if !run.succeeded && (!run.isOneLineError || run.stderr.contains("not a valid replica config")) {
            // (No config.json is ever damaged here: calling it invalid would send the researcher to init --force.)
            tally.unclear += 1
            unclearSamples.append("\(what): \(run.stderr.prefix(300))")
        }
        if run.stderr.contains("malformed") { tally.malformed += 1 }
    }

    private func checkIdentity(_ index: Int) {
        guard !laptops[index].recreated else { return }
        let replicaID = (try? laptops[index].researcher.config()["replica"]) ?? nil
        if FaultProbe.identity(laptops[index].researcher.databasePath) != laptops[index].identity
            || replicaID != laptops[index].replicaID
        {
            laptops[index].recreated = true
            tally.recreated += 1
        }
    }

    // MARK: Server phase

    func serverFaults(windows: Int) throws {
        for window in 0..<windows {
            if window % 3 == 2 { try restartUnderFaults() }
            try control(serverSpec + (window % 2 == 1 ? [DiskFaultSuite.openRule] : []))
            for _ in 0..<3 {
                let index = Int.random(in: 0..<laptops.count, using: &rng)
                for _ in 0..<Int.random(in: 1...2, using: &rng) { try write(index, faults: false) }
                _ = try command(index, ["sync"], faults: false)
                try ledger.recordAcknowledged(laptops[index].researcher.databasePath, own: Set(laptops[index].own))
            }
            rawProbes()
            try control(Self.disable)
            checkServer()
            if !server.isRunning {
                tally.crashes += 1
                notes.append("nkserver died in window \(window)")
                try startServer()
            }
            // Recovered: once the faults stop, a replica syncs again without a restart.
            if (0..<20).contains(where: { _ in
                if (try? probe.run(["sync"]))?.succeeded == true { return true }
                Thread.sleep(forTimeInterval: 0.1)
                return false
            }) {
                tally.recovered += 1
            }
        }
    }

    private static let disable = (DiskFaultSuite.points + ["posix/io/oc/open"]).map { "disable name=\($0)" }

    /// Sends libfiu remote-control commands to the running server (disabling a point that was not
    /// enabled is answered with an error, and is fine).
    private func control(_ commands: [String]) throws {
        guard let pid = server.process?.pid else { throw HarnessError("no server to control") }
        let result = try runCommand(
            URL(fileURLWithPath: fiu.control), ["-f", fifoPrefix] + commands.flatMap { ["-c", $0] } + [String(pid)],
            timeout: 30)
        let refused = result.stdout.split(separator: "\n").filter { !$0.contains("'disable name=") }
        guard result.succeeded, !refused.contains(where: { $0.contains("returned error") }) else {
            throw HarnessError("fiu-ctrl failed: \(result)")
        }
    }

    /// Raw requests during a window: each answer is a success or a 5xx with a JSON error code.
    private func rawProbes() {
        for path in ["/v1/changes?since=0&limit=200", "/v1/me", "/v1/changes?since=0&limit=1"] {
            do {
                let answer = try RawHTTP.send("GET", server.url + path, token: probeToken)
                guard answer.status >= 400 else { continue }
                if answer.status >= 500 { tally.serverFailures += 1 }
                let error = (try? answer.object())?["error"] as? [String: Any]
                if answer.status < 500 || error?["code"] as? String == nil {
                    tally.unclear += 1
                    unclearSamples.append(
                        "GET \(path): \(answer.status) \(String(decoding: answer.body.prefix(200), as: UTF8.self))")
                }
            } catch {
                tally.unclear += 1
                unclearSamples.append("GET \(path): no answer (\(error))")
            }
        }
    }

    /// Stops the server with the faults on (its last checkpoint and close may fail) and starts it
    /// again with the faults already on when it opens its database, until one start gets through;
    /// each failed start must end with one `error:` line.
    private func restartUnderFaults() throws {
        try control(serverSpec + [DiskFaultSuite.openRule])
        let stopped = server.stop()
        if stopped.signalled {
            tally.crashes += 1
            notes.append("nkserver crashed on SIGTERM: \(stopped.stderr.suffix(300))")
        }
        for _ in 0..<20 {
            let environment = fiu.environment(enabling: serverSpec, fifo: fifoPrefix)
            guard let failure = try server.start(port: server.port, environment: environment) else {
                try control(Self.disable)
                return
            }
            tally.startFailures += 1
            let lines = failure.stderr.split(separator: "\n")
            if failure.crashed {
                tally.crashes += 1
                notes.append("nkserver start: exit \(failure.status): \(failure.stderr.suffix(300))")
            } else if lines.last.map({ !$0.hasPrefix("error: ") }) ?? true || failure.stderr.contains("Fatal error") {
                tally.unclear += 1
                unclearSamples.append("nkserver start: \(failure.stderr.suffix(300))")
            }
            if failure.stderr.contains("malformed") { tally.malformed += 1 }
            checkServer()
        }
        try startServer()
    }

    private func startServer() throws {
        if let failure = try server.start(
            port: server.port, environment: fiu.environment(enabling: [], fifo: fifoPrefix))
        {
            throw HarnessError("nkserver did not start without faults: \(failure.stderr)")
        }
    }

    private func checkServer() {
        guard !serverRecreated else { return }
        let replicaID = try? Self.serverReplicaID(server.databasePath)
        if FaultProbe.identity(server.databasePath) != serverIdentity
            || (replicaID != nil && replicaID != serverReplicaID)
        {
            serverRecreated = true
            tally.recreated += 1
        }
    }

    private static func serverReplicaID(_ path: String) throws -> String {
        try FaultProbe.open(path).read { db in
            try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'serverReplicaID'") ?? ""
        }
    }

    // MARK: After the faults

    /// With the faults off: stop the server cleanly, start it without libfiu, and check that every
    /// acknowledged version is there, that every laptop kept its own writes, then sync everyone.
    func finish() throws -> End {
        var end = End()
        let stopped = server.stop()
        if stopped.signalled { tally.crashes += 1 }
        let restarted = try server.start(port: server.port)
        end.cleanRestart = stopped.status == 0 && !stopped.signalled && restarted == nil
        if let restarted { throw HarnessError("nkserver did not start after the faults: \(restarted.stderr)") }
        checkServer()

        end.lostAcknowledged = try ledger.lostAcknowledged(server: server.databasePath)
        for index in laptops.indices {
            checkIdentity(index)
            let held = try FaultProbe.versions(laptops[index].researcher.databasePath)
            end.localLost += ledger.check(held, only: Set(laptops[index].own)).lost
        }

        for _ in 0..<2 { for laptop in laptops { syncToTheEnd(laptop.researcher) } }
        let serverHeld = try FaultProbe.versions(server.databasePath)
        end.check = ledger.check(serverHeld)
        if !FaultProbe.integrityOK(server.databasePath) { end.integrityFailures += 1 }
        for laptop in laptops {
            let path = laptop.researcher.databasePath
            if !FaultProbe.integrityOK(path) { end.integrityFailures += 1 }
            let held = try FaultProbe.versions(path)
            let local = ledger.check(held)
            end.check.lost += local.lost
            end.check.duplicated += local.duplicated
            end.check.phantom += local.phantom
            if Set(held) == Set(serverHeld) { end.converged += 1 }
        }
        server.stop()
        return end
    }
}
