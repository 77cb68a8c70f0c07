import ArgumentParser
import Foundation
import GRDB
import NKTestSupport

/// Suite 2: the server killed with SIGKILL while replicas push and pull, restarted on the same port.
struct ServerKillSuite: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "server-kill",
        abstract: "kill -9 nkserver under load and restart it; nothing acknowledged is lost.")

    @OptionGroup var options: SuiteOptions

    @Option(help: "Server kills (default 50; 10 with --quick).")
    var kills: Int?

    @Option(help: "Replicas pushing and pulling meanwhile.")
    var replicas = 3

    func run() throws {
        let target = kills ?? (options.quick ? 10 : 50)
        var rng = SeededRandom(seed: options.seed)
        let start = Date()
        let server = try LiveServer()
        let walMode = try DatabaseProbe.open(server.databasePath).read { db in
            try String.fetchOne(db, sql: "PRAGMA journal_mode")
        }
        let researchers = try (0..<replicas).map { try makeResearcher("w\($0)", server: server) }
        let probe = try makeResearcher("probe", server: server)
        let quotes = try uniqueQuotes(researchers[0])
        let load = Load(count: replicas)
        let threads = researchers.indices.map { index in
            let thread = Thread { [researchers, quotes, seed = options.seed] in
                load.work(researchers[index], index: index, quotes: quotes, seed: seed &+ UInt64(index) &+ 1)
            }
            thread.start()
            return thread
        }
        _ = threads

        var recoveries: [Int] = []
        for _ in 0..<target {
            Thread.sleep(forTimeInterval: Double(Int.random(in: 200...900, using: &rng)) / 1000)
            server.stop(signal: SIGKILL)
            let restarted = Date()
            try server.start(port: server.port)
            // Time to recover: from the restart to the first successful sync.
            guard syncToTheEnd(probe, attempts: 100) else { throw HarnessError("no sync succeeded after a restart") }
            recoveries.append(milliseconds(since: restarted))
        }
        load.stop()

        // Gaps: versions at or below a replica's cursor that it neither holds nor has seen past.
        let serverRows = try DatabaseProbe.open(server.databasePath).read { db in
            try Row.fetchAll(db, sql: "SELECT seq, recordId, vector FROM versions").map {
                (seq: $0["seq"] as Int64, id: $0["recordId"] as String, vector: $0["vector"] as String)
            }
        }
        var gaps = 0
        for researcher in researchers {
            let cursor = try DatabaseProbe.cursor(researcher.databasePath)
            let held = try DatabaseProbe.open(researcher.databasePath).read { db in
                Dictionary(
                    grouping: try Row.fetchAll(db, sql: "SELECT recordId, vector FROM versions").map {
                        ($0["recordId"] as String, parseVector($0["vector"]))
                    }, by: \.0)
            }
            for row in serverRows where row.seq <= cursor {
                let vector = parseVector(row.vector)
                if !(held[row.id] ?? []).contains(where: { dominates($0.1, vector) }) { gaps += 1 }
            }
        }
        for _ in 0..<2 { for researcher in researchers { syncToTheEnd(researcher) } }

        let ledger = load.ledger()
        let acknowledged = load.acknowledged()
        let serverHeld = try DatabaseProbe.annotations(server.databasePath)
        let serverIds = Set(serverHeld.map(\.recordId))
        let lostAcknowledged = acknowledged.count { !serverIds.contains($0) }
        let check = ledger.check(serverHeld)
        var figures = Figures("server-kill")
        figures.add("kills", target)
        figures.add("wal", walMode == "wal" ? "on" : (walMode ?? "unknown"))
        figures.add("writes", ledger.count)
        figures.add("acknowledged", acknowledged.count)
        figures.add("failed_syncs", load.failures())
        figures.add("lost", check.lost + lostAcknowledged)
        figures.add("duplicated", check.duplicated)
        figures.add("phantom", check.phantom)
        figures.add("gaps", gaps)
        let sorted = recoveries.sorted()
        figures.add("recover_ms_median", sorted.isEmpty ? 0 : sorted[sorted.count / 2])
        figures.add("recover_ms_max", sorted.last ?? 0)
        figures.add("seconds", Int(Date().timeIntervalSince(start)))
        var missed: [String] = []
        if walMode != "wal" { missed.append("journal_mode is \(walMode ?? "unknown")") }
        if check.lost + lostAcknowledged + check.duplicated + check.phantom + gaps > 0 {
            missed.append("lost/duplicated/gaps")
        }
        if acknowledged.isEmpty { missed.append("nothing was acknowledged") }
        try figures.finish(missed: missed)
    }
}

/// Replicas writing and syncing on their own threads until stopped.
final class Load: @unchecked Sendable {
    private let lock = NSLock()
    private var running = true
    private var ledgers: [Ledger]
    private var acked: Set<String> = []
    private var failed = 0
    private let finished: [DispatchSemaphore]

    init(count: Int) {
        ledgers = Array(repeating: Ledger(), count: count)
        finished = (0..<count).map { _ in DispatchSemaphore(value: 0) }
    }

    private var isRunning: Bool { lock.withLock { running } }

    func work(_ researcher: Researcher, index: Int, quotes: [(post: String, quote: String)], seed: UInt64) {
        defer { finished[index].signal() }
        var rng = SeededRandom(seed: seed)
        var ledger = Ledger()
        var own: [String] = []
        while isRunning {
            for _ in 0..<Int.random(in: 1...3, using: &rng) {
                try? ledger.write(on: researcher, quotes: quotes, own: &own, rng: &rng)
            }
            let succeeded = (try? researcher.run(["sync"]))?.succeeded ?? false
            // Acknowledged: held with pending = 0 (the outbox no longer holds it).
            let held =
                (try? DatabaseProbe.open(researcher.databasePath).read { db in
                    try String.fetchAll(
                        db, sql: "SELECT recordId FROM versions WHERE recordType = 'annotation' AND pending = 0")
                }) ?? []
            let mine = Set(own)
            lock.withLock {
                ledgers[index] = ledger
                acked.formUnion(held.filter { mine.contains($0) })
                if !succeeded { failed += 1 }
            }
        }
    }

    func stop() {
        lock.withLock { running = false }
        for semaphore in finished { semaphore.wait() }
    }

    func ledger() -> Ledger {
        lock.withLock {
            var all = Ledger()
            for ledger in ledgers { all.merge(ledger) }
            return all
        }
    }

    func acknowledged() -> Set<String> { lock.withLock { acked } }
    func failures() -> Int { lock.withLock { failed } }
}
