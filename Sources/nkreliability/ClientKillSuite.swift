import ArgumentParser
import Foundation
import NKTestSupport

/// Suite 1: `nkclient sync` killed with SIGKILL at random instants and at each named step.
struct ClientKillSuite: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "client-kill", abstract: "SIGKILL nkclient sync at random instants and at each named step.")

    @OptionGroup var options: SuiteOptions

    @Option(help: "Kills to make (default 1000; 50 with --quick).")
    var kills: Int?

    @Option(help: "Replicas writing between kills.")
    var replicas = 3

    @Option(help: "Stop killing after this many seconds even if fewer kills were made.")
    var seconds: Double?

    func run() throws {
        let target = kills ?? (options.quick ? 50 : 1000)
        // Scaled under the sanitizers (NK_TIME_SCALE), where 50 kills take about 75 s instead of 10 s.
        let limit = seconds ?? (options.quick ? 60 : 420) * harnessTimeScale
        var rng = SeededRandom(seed: options.seed)
        let start = Date()
        let server = try LiveServer()
        let researchers = try (0..<replicas).map { try makeResearcher("r\($0)", server: server) }
        let quotes = try uniqueQuotes(researchers[0])
        var ledger = Ledger()
        var own = Array(repeating: [String](), count: replicas)

        // How long a sync takes here (process start included), measured again every tenth round by
        // letting one finish: kills land anywhere from the start of a sync to a bit past its end.
        var syncMilliseconds = 100
        var made = 0
        var completed = 0
        var round = 0
        while made < target && Date().timeIntervalSince(start) < limit {
            round += 1
            let index = Int.random(in: 0..<replicas, using: &rng)
            for _ in 0..<Int.random(in: 0...2, using: &rng) {
                try ledger.write(on: researchers[index], quotes: quotes, own: &own[index], rng: &rng)
            }
            let launched = Date()
            let process = try researchers[index].start(["sync"])
            if round % 10 == 0 {
                _ = try process.wait()
                syncMilliseconds = (syncMilliseconds + milliseconds(since: launched)) / 2
                process.stop()
                completed += 1
                continue
            }
            let delay = Double(Int.random(in: 0...(syncMilliseconds * 3 / 2), using: &rng)) / 1000
            Thread.sleep(forTimeInterval: delay)
            if process.isRunning {
                process.stop(signal: SIGKILL)
                made += 1
            } else {
                process.stop(signal: SIGKILL)
                completed += 1
            }
        }

        // Each named step, on a fresh write set.
        let steps = try namedSteps(researchers, server: server, quotes: quotes, ledger: &ledger, own: &own, rng: &rng)

        // Then sync to the end: twice each, so everyone has everyone's last push.
        for _ in 0..<2 { for researcher in researchers { syncToTheEnd(researcher) } }
        var figures = Figures("client-kill")
        let serverHeld = try DatabaseProbe.annotations(server.databasePath)
        var check = ledger.check(serverHeld)
        var integrityFailures = DatabaseProbe.integrityOK(server.databasePath) ? 0 : 1
        var converged = 0
        let serverSet = Set(serverHeld)
        for researcher in researchers {
            if !DatabaseProbe.integrityOK(researcher.databasePath) { integrityFailures += 1 }
            let held = try DatabaseProbe.annotations(researcher.databasePath)
            let local = ledger.check(held)
            check.lost += local.lost
            check.duplicated += local.duplicated
            check.phantom += local.phantom
            if Set(held) == serverSet, try DatabaseProbe.pending(researcher.databasePath).isEmpty { converged += 1 }
        }
        figures.add("kills", made)
        figures.add("completed_syncs", completed)
        figures.add("sync_ms", syncMilliseconds)
        figures.add("steps", "\(steps.passed)/\(steps.total)")
        figures.add("writes", ledger.count)
        figures.add("lost", check.lost)
        figures.add("duplicated", check.duplicated)
        figures.add("phantom", check.phantom)
        figures.add("integrity_failures", integrityFailures)
        figures.add("converged", "\(converged)/\(replicas)")
        figures.add("seconds", Int(Date().timeIntervalSince(start)))
        var missed: [String] = []
        if made < target { missed.append("only \(made) kills of \(target) within \(Int(limit)) s") }
        if steps.passed != steps.total { missed.append("named steps: \(steps.failures.joined(separator: ", "))") }
        if check.lost + check.duplicated + check.phantom + integrityFailures > 0 { missed.append("lost/dup/phantom") }
        if converged != replicas { missed.append("not converged") }
        try figures.finish(missed: missed)
    }

    /// Kills at every `NKCLIENT_FAULT` point; a step passes when the process died there (137).
    private func namedSteps(
        _ researchers: [Researcher], server: LiveServer, quotes: [(post: String, quote: String)],
        ledger: inout Ledger, own: inout [[String]], rng: inout SeededRandom
    ) throws -> (passed: Int, total: Int, failures: [String]) {
        let pushSteps = ["after-push-sent", "mid-push-transaction", "after-push-response"]
        let pullSteps = ["between-pull-pages", "mid-pull-transaction"]
        var failures: [String] = []
        let writer = researchers[0]
        let victim = researchers[researchers.count - 1]
        for step in pushSteps {
            for _ in 0..<4 { try ledger.write(on: writer, quotes: quotes, own: &own[0], rng: &rng) }
            let result = try runCommand(
                TestPaths.nkclient, ["sync"],
                environment: ["NKCLIENT_HOME": writer.home.url.path, "NKCLIENT_FAULT": step])
            if result.status != 137 { failures.append("\(step) exited \(result.status)") }
        }
        for step in pullSteps {
            // More than a page (500) of changes for the victim to pull.
            syncToTheEnd(victim)
            for _ in 0..<800 { try ledger.write(on: writer, quotes: quotes, own: &own[0], rng: &rng) }
            guard syncToTheEnd(writer) else { throw HarnessError("the writer could not sync") }
            let result = try runCommand(
                TestPaths.nkclient, ["sync"],
                environment: ["NKCLIENT_HOME": victim.home.url.path, "NKCLIENT_FAULT": step])
            if result.status != 137 { failures.append("\(step) exited \(result.status)") }
        }
        let total = pushSteps.count + pullSteps.count
        return (total - failures.count, total, failures)
    }
}
