import ArgumentParser
import Foundation
import NKClient
import NKProtocol
import NKTestSupport

/// Suite 4: concurrent edits of one note, checked against a model of version vectors.
struct ConcurrentSuite: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "concurrent", abstract: "Interleaved read-edit-sync cycles and random three-replica schedules.")

    @OptionGroup var options: SuiteOptions

    @Option(help: "Read-edit-sync cycles of the two-replica run (default 100; 20 with --quick).")
    var cycles: Int?

    @Option(help: "Random three-replica schedules (default 1000; 50 with --quick).")
    var schedules: Int?

    func run() async throws {
        let cycles = self.cycles ?? (options.quick ? 20 : 100)
        let schedules = self.schedules ?? (options.quick ? 50 : 1000)
        var rng = SeededRandom(seed: options.seed)
        let start = Date()
        let server = try LiveServer()
        let researchers = try ["ann", "ben", "cat"].map { try makeResearcher($0, server: server) }
        let quotes = try uniqueQuotes(researchers[0])
        let replicas = try researchers.map { try Replica.open(home: ReplicaHome(url: $0.home.url)) }
        let engines = replicas.map { SyncEngine(replica: $0, transport: CurlTransport()) }
        var runner = ScheduleRunner(replicas: replicas, engines: engines, quotes: quotes)

        // Two replicas, `cycles` read-edit-sync cycles each, interleaved at random.
        var twoReplicaSteps: [ScheduleRunner.Step] = []
        var streams = [0, 1].map { index in
            (0..<cycles).flatMap { _ in
                [ScheduleRunner.Step.sync(index), .edit(index), .sync(index)]
            }
        }
        while !streams[0].isEmpty || !streams[1].isEmpty {
            let pick = streams[0].isEmpty ? 1 : streams[1].isEmpty ? 0 : Int.random(in: 0...1, using: &rng)
            twoReplicaSteps.append(streams[pick].removeFirst())
        }
        let twoReplica = try await runner.run(creator: 0, steps: twoReplicaSteps, participants: [0, 1], rng: &rng)

        // Random three-replica schedules.
        var random = ScheduleRunner.Outcome()
        for _ in 0..<schedules {
            let steps = (0..<Int.random(in: 3...10, using: &rng)).map { _ -> ScheduleRunner.Step in
                let replica = Int.random(in: 0..<3, using: &rng)
                return Bool.random(using: &rng) ? .edit(replica) : .sync(replica)
            }
            random.add(
                try await runner.run(
                    creator: Int.random(in: 0..<3, using: &rng), steps: steps, participants: [0, 1, 2], rng: &rng))
        }

        var figures = Figures("concurrent")
        figures.add("cycles", cycles)
        figures.add("cycle_edits", twoReplica.edits)
        figures.add("cycle_conflicted_steps", twoReplica.siblingsMade)
        figures.add("schedules", schedules)
        figures.add("edits", random.edits)
        figures.add("conflicted_steps", random.siblingsMade)
        figures.add("lost_edits", twoReplica.lost + random.lost)
        figures.add("spurious_siblings", twoReplica.spurious + random.spurious)
        figures.add("unequal_replicas", twoReplica.unequal + random.unequal)
        figures.add("seconds", Int(Date().timeIntervalSince(start)))
        var missed: [String] = []
        if twoReplica.lost + random.lost > 0 { missed.append("lost edits") }
        if twoReplica.spurious + random.spurious > 0 { missed.append("spurious siblings") }
        if twoReplica.unequal + random.unequal > 0 { missed.append("replicas differ") }
        if twoReplica.siblingsMade == 0 && cycles >= 20 { missed.append("the interleaving made no conflict at all") }
        try figures.finish(missed: missed)
    }
}

/// Runs one schedule on a fresh note and compares every replica with a model of version vectors.
struct ScheduleRunner {
    enum Step {
        case edit(Int)
        case sync(Int)
    }

    struct Outcome {
        var edits = 0
        /// Steps after which the server held siblings.
        var siblingsMade = 0
        var lost = 0
        var spurious = 0
        var unequal = 0

        mutating func add(_ other: Outcome) {
            edits += other.edits
            siblingsMade += other.siblingsMade
            lost += other.lost
            spurious += other.spurious
            unequal += other.unequal
        }
    }

    /// A version in the model: its vector and its note text.
    struct ModelVersion: Hashable {
        var vector: [String: Int]
        var note: String
    }

    let replicas: [Replica]
    let engines: [SyncEngine]
    let quotes: [(post: String, quote: String)]
    private var counter = 0
    /// The highest counter each replica has given, across every note (DESIGN.md, "Own counters"):
    /// a replica's next edit takes `max(merge(frontier)[me], this) + 1`.
    private var given: [Int]

    init(replicas: [Replica], engines: [SyncEngine], quotes: [(post: String, quote: String)]) {
        self.replicas = replicas
        self.engines = engines
        self.quotes = quotes
        given = Array(repeating: 0, count: replicas.count)
    }

    /// The frontier rule of DESIGN.md.
    static func apply(_ version: ModelVersion, to frontier: inout [ModelVersion]) {
        if frontier.contains(where: { dominates($0.vector, version.vector) }) { return }
        frontier.removeAll { dominates(version.vector, $0.vector) }
        frontier.append(version)
    }

    mutating func run(creator: Int, steps: [Step], participants: [Int], rng: inout SeededRandom) async throws
        -> Outcome
    {
        var outcome = Outcome()
        let ids = replicas.map(\.config.replica.rawValue)
        var local = Array(repeating: [ModelVersion](), count: replicas.count)
        var pending = Array(repeating: [ModelVersion](), count: replicas.count)
        var server: [ModelVersion] = []
        var written: [ModelVersion] = []

        counter += 1
        let quote = quotes[counter % quotes.count]
        let firstNote = "s\(counter)-create"
        let noteID = try replicas[creator].annotate(post: quote.post, quote: quote.quote, note: firstNote).rawValue
        given[creator] += 1
        let first = ModelVersion(vector: [ids[creator]: given[creator]], note: firstNote)
        local[creator] = [first]
        pending[creator] = [first]
        written.append(first)

        func modelSync(_ index: Int) {
            for version in pending[index] { Self.apply(version, to: &server) }
            pending[index] = []
            for version in server { Self.apply(version, to: &local[index]) }
        }
        func sync(_ index: Int) async throws {
            _ = try await engines[index].run()
            modelSync(index)
        }
        // Everyone starts from the created note.
        try await sync(creator)
        for index in participants where index != creator { try await sync(index) }

        for step in steps {
            switch step {
            case .sync(let index):
                try await sync(index)
            case .edit(let index):
                counter += 1
                let note = "s\(counter)-\(ids[index].prefix(4))"
                try replicas[index].edit(noteID, note: note)
                var vector: [String: Int] = [:]
                for version in local[index] { vector.merge(version.vector) { max($0, $1) } }
                given[index] = max(vector[ids[index], default: 0], given[index]) + 1
                vector[ids[index]] = given[index]
                let version = ModelVersion(vector: vector, note: note)
                local[index] = [version]
                pending[index].append(version)
                written.append(version)
                outcome.edits += 1
            }
            if server.count > 1 { outcome.siblingsMade += 1 }
        }
        for _ in 0..<2 { for index in participants { try await sync(index) } }

        // Compare each replica's frontier with the model's.
        let expected = Set(server)
        for index in participants {
            let held = try DatabaseProbe.annotations(
                replicas[index].home.url.appendingPathComponent("replica.sqlite").path
            )
            .filter { $0.recordId == noteID }
            .map { ModelVersion(vector: parseVector($0.vector), note: $0.note ?? "") }
            let actual = Set(held)
            outcome.lost += expected.subtracting(actual).count
            outcome.spurious += actual.subtracting(expected).count
            // Every written text is current or superseded by a version that saw it.
            outcome.lost += written.count { version in !actual.contains { dominates($0.vector, version.vector) } }
            if actual != expected { outcome.unequal += 1 }
        }
        return outcome
    }
}
