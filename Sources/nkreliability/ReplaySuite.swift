import ArgumentParser
import Foundation
import NKTestSupport

/// Suite 3 (over the wire): replicas syncing through a misbehaving proxy; every write applied once.
struct ReplaySuite: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Sync through a proxy that duplicates, drops, truncates, delays and resets; applied = unique writes.")

    @OptionGroup var options: SuiteOptions

    @Option(help: "Sync rounds through the proxy (default 400; 40 with --quick).")
    var rounds: Int?

    @Option(help: "Replicas writing and syncing.")
    var replicas = 3

    func run() throws {
        let rounds = self.rounds ?? (options.quick ? 40 : 400)
        var rng = SeededRandom(seed: options.seed)
        let start = Date()
        let server = try LiveServer()
        let researchers = try (0..<replicas).map { try makeResearcher("p\($0)", server: server) }
        let quotes = try uniqueQuotes(researchers[0])
        let proxy = try ChaosProxy(serverPort: server.port, seed: options.seed)
        for researcher in researchers { try pointAt(researcher, url: "http://127.0.0.1:\(proxy.port)") }

        var ledger = Ledger()
        var own = Array(repeating: [String](), count: replicas)
        var failed = 0
        for _ in 0..<rounds {
            let index = Int.random(in: 0..<replicas, using: &rng)
            for _ in 0..<Int.random(in: 0...3, using: &rng) {
                try ledger.write(on: researchers[index], quotes: quotes, own: &own[index], rng: &rng)
            }
            if !(try researchers[index].run(["sync"])).succeeded { failed += 1 }
        }
        proxy.setChaos(false)
        for _ in 0..<2 { for researcher in researchers { syncToTheEnd(researcher) } }

        let serverHeld = try DatabaseProbe.annotations(server.databasePath)
        var check = ledger.check(serverHeld)
        var converged = 0
        for researcher in researchers {
            let held = try DatabaseProbe.annotations(researcher.databasePath)
            let local = ledger.check(held)
            check.lost += local.lost
            check.duplicated += local.duplicated
            check.phantom += local.phantom
            if Set(held) == Set(serverHeld), try DatabaseProbe.pending(researcher.databasePath).isEmpty {
                converged += 1
            }
        }
        let tally = proxy.tally()
        var figures = Figures("replay")
        figures.add("rounds", rounds)
        for action in ChaosProxy.Action.allCases { figures.add(action.rawValue, tally[action, default: 0]) }
        figures.add("failed_syncs", failed)
        figures.add("writes", ledger.count)
        figures.add("unique_notes", ledger.notes.count)
        figures.add("stored_notes", Set(serverHeld.map(\.recordId)).count)
        figures.add("stored_versions", serverHeld.count)
        figures.add("lost", check.lost)
        figures.add("duplicated", check.duplicated)
        figures.add("phantom", check.phantom)
        figures.add("converged", "\(converged)/\(replicas)")
        figures.add("seconds", Int(Date().timeIntervalSince(start)))
        var missed: [String] = []
        if check.lost + check.duplicated + check.phantom > 0 { missed.append("lost/duplicated/phantom") }
        if serverHeld.count != ledger.notes.count { missed.append("applied != unique operations") }
        if converged != replicas { missed.append("not converged") }
        try figures.finish(missed: missed)
    }

    /// Points a replica's config.json at another URL (the proxy), keeping everything else.
    private func pointAt(_ researcher: Researcher, url: String) throws {
        let file = researcher.home.url.appendingPathComponent("config.json")
        guard var object = try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any] else {
            throw HarnessError("config.json is not an object")
        }
        object["server"] = url
        try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]).write(to: file)
    }
}
