import Foundation
import GRDB
import NKTestSupport

/// One seeded scenario played by four replicas (Alice's two laptops, Bob, Carol) on a fresh server:
/// new notes, edits of one another's notes, deletes, resolutions and syncs in an order fixed by the
/// seed. Its outcome is what every database holds, less the wall-clock fields.
final class SkewScenario {
    struct Replica {
        var name: String
        var user: String
        var researcher: Researcher
        var replicaID: String
    }

    private let clock: ClockSetting
    private let offsets: [String]
    private let faketime: (library: String, shared: FaketimeSharedMemory)?
    private var clockRandom: SeededRandom
    private let server: PreloadedServer
    private var replicas: [Replica] = []
    private var serverReplicaID = ""
    /// Annotation id → `n0`, `n1`, ... in the order they were made.
    private var names: [String: String] = [:]
    private var transcript: [String] = []
    private var counter = 0

    private(set) var skewChecks = 0
    private(set) var skewMismatches: [String] = []
    private(set) var conflicts = 0
    private(set) var failedSteps = 0
    private(set) var counts: [String: Int] = [:]

    init(clock: ClockSetting, offsets: [String], faketime: (String, FaketimeSharedMemory)?, clockSeed: UInt64) throws {
        server = try PreloadedServer()
        self.clock = clock
        self.offsets = offsets
        self.faketime = faketime
        clockRandom = SeededRandom(seed: clockSeed)
    }

    /// Plays the scenario with `rng` (the same seed in every clock setting) and returns its outcome.
    func play(steps: Int, rng: inout SeededRandom) throws -> [String] {
        let serverEnvironment = try clock.server.map { offset -> [String: String] in
            guard let faketime else { throw HarnessError("libfaketime is needed for a skewed server") }
            return faketime.shared.environment(library: faketime.library, offset: offset)
        }
        if let failure = try server.start(environment: serverEnvironment ?? [:]) {
            throw HarnessError("nkserver did not start: \(failure.stderr)")
        }
        defer { server.stop() }
        serverReplicaID = try DatabaseProbe.open(server.databasePath).read { db in
            try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'serverReplicaID'") ?? ""
        }
        var tokens: [String: String] = [:]
        for (name, user) in [("alice1", "alice"), ("alice2", "alice"), ("bob", "bob"), ("carol", "carol")] {
            if tokens[user] == nil { tokens[user] = try server.addUser(user) }
            let researcher = try Researcher(name)
            let result = try nkclient(
                replicas.count, researcher, ["init", "--server", server.url, "--token", tokens[user]!])
            guard result.succeeded else { throw HarnessError("init of \(name) failed: \(result)") }
            let replicaID = try researcher.config()["replica"] ?? ""
            replicas.append(Replica(name: name, user: user, researcher: researcher, replicaID: replicaID))
            _ = try sync(replicas.count - 1)
        }
        let quotes = Array(try uniqueQuotes(replicas[0].researcher).prefix(6))

        for step in 0..<steps {
            let index = Int.random(in: 0..<replicas.count, using: &rng)
            try act(step: step, replica: index, quotes: quotes, rng: &rng)
        }
        for round in 0..<2 {
            for index in replicas.indices {
                transcript.append("final \(round) \(replicas[index].name): \(try sync(index))")
            }
        }
        if ProcessInfo.processInfo.environment["NKRELIABILITY_VERBOSE"] != nil {
            FileHandle.standardError.write(Data(("[\(clock.name)]\n" + transcript.joined(separator: "\n") + "\n").utf8))
        }
        return try outcome(server: server)
    }

    // MARK: Steps

    private func act(step: Int, replica index: Int, quotes: [(post: String, quote: String)], rng: inout SeededRandom)
        throws
    {
        let replica = replicas[index]
        let held = try frontier(replica.researcher.databasePath)
        let live = held.filter { $0.value.contains { !$0.deleted } }.keys.sorted()
        let own = live.filter { name in held[name]!.contains { $0.author == replica.user } }
        let conflicted = held.filter { $0.value.count > 1 }.keys.sorted()
        // Weights of the steps this replica can take now (a sync always).
        let choices: [(step: String, weight: Int)] = [
            ("sync", 35), ("annotate", names.count < 3 ? 12 : 0), ("edit", live.isEmpty ? 0 : 33),
            ("delete", own.isEmpty ? 0 : 6), ("resolve", conflicted.isEmpty ? 0 : 14),
        ].filter { $0.weight > 0 }
        var roll = Int.random(in: 0..<choices.reduce(0) { $0 + $1.weight }, using: &rng)
        let chosen = choices.first { choice in
            roll -= choice.weight
            return roll < 0
        }!.step
        var line = "step \(step) \(replica.name): "
        switch chosen {
        case "annotate":
            let target = quotes[Int.random(in: 0..<quotes.count, using: &rng)]
            let note = text(replica)
            let result = try nkclient(
                index, replica.researcher, ["annotate", target.post, "--quote", target.quote, "--note", note])
            if result.succeeded { names[result.output] = "n\(names.count)" }
            line += "annotate \(target.post) → \(result.succeeded ? names[result.output]! : "exit \(result.status)")"
            tally("annotate", result)
        case "edit":
            let name = live[Int.random(in: 0..<live.count, using: &rng)]
            let result = try nkclient(index, replica.researcher, ["edit", id(of: name), "--note", text(replica)])
            line += "edit \(name) → exit \(result.status)"
            tally("edit", result)
        case "delete":
            let name = own[Int.random(in: 0..<own.count, using: &rng)]
            let result = try nkclient(index, replica.researcher, ["delete", id(of: name)])
            line += "delete \(name) → exit \(result.status)"
            tally("delete", result)
        case "resolve":
            let name = conflicted[Int.random(in: 0..<conflicted.count, using: &rng)]
            if Bool.random(using: &rng) {
                let result = try nkclient(
                    index, replica.researcher, ["resolve", id(of: name), "--note", text(replica)])
                line += "resolve \(name) by a new note → exit \(result.status)"
                tally("resolve", result)
            } else {
                line += "resolve \(name) by picking " + (try pick(name, index: index))
            }
        default:
            line += "sync → " + (try sync(index))
        }
        transcript.append(line)
    }

    /// Resolves by keeping one sibling, chosen by content (deleted last, then note, then vector),
    /// found in `nkclient conflicts --json`: its position there depends on the random replica ids.
    private func pick(_ name: String, index: Int) throws -> String {
        let replica = replicas[index]
        let listed = try nkclient(index, replica.researcher, ["conflicts", "--json"])
        guard listed.succeeded,
            let entries = try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]],
            let entry = entries.first(where: { $0["id"] as? String == id(of: name) }),
            let siblings = entry["versions"] as? [[String: Any]]
        else { return "(no conflict listed: exit \(listed.status))" }
        let candidates = siblings.enumerated().compactMap { offset, sibling -> (key: String, offset: Int)? in
            let deleted = sibling["deleted"] as? Bool ?? false
            if deleted && sibling["author"] as? String != replica.user { return nil }
            let vector = (sibling["version"] as? [String: Int]) ?? [:]
            let named = vector.map { "\(self.replicaName($0.key)):\($0.value)" }.sorted().joined(separator: ",")
            return ("\(deleted ? 1 : 0)|\(sibling["note"] as? String ?? "")|\(named)", offset)
        }
        guard let chosen = candidates.min(by: { $0.key < $1.key }) else { return "(nothing this user may keep)" }
        let result = try nkclient(
            index, replica.researcher, ["resolve", id(of: name), "--pick", String(chosen.offset)])
        tally("resolve", result)
        return "\(chosen.key) → exit \(result.status)"
    }

    private func sync(_ index: Int) throws -> String {
        let started = Date()
        let result = try nkclient(index, replicas[index].researcher, ["sync"])
        let ended = Date()
        guard result.succeeded else {
            failedSteps += 1
            return "exit \(result.status)"
        }
        if let range = result.output.range(of: "conflicts "), let count = Int(result.output[range.upperBound...]) {
            conflicts += count
        }
        try checkClocks(index, started: started, ended: ended, pushed: !result.output.hasPrefix("pushed 0,"))
        return result.output
    }

    private func tally(_ kind: String, _ result: CommandResult) {
        counts[kind, default: 0] += 1
        if !result.succeeded { failedSteps += 1 }
    }

    private func text(_ replica: Replica) -> String {
        counter += 1
        return "\(replica.name) wrote \(counter)"
    }

    /// An annotation's scenario name; a post keeps its id (the same on every server).
    private func name(type: String, id: String) -> String {
        names[id] ?? (type == "post" ? id : "?\(id)")
    }

    private func id(of name: String) -> String { names.first { $0.value == name }?.key ?? name }

    private func replicaName(_ id: String) -> String {
        if id == serverReplicaID { return "server" }
        return replicas.first { $0.replicaID == id }?.name ?? "?\(id)"
    }

    // MARK: Clocks

    /// The offset this process runs at (nil: the real clock, no libfaketime).
    private var offsetOfNextProcess: [Int: String] = [:]

    private func offset(for index: Int) -> String? {
        switch clock.clients {
        case .real: nil
        case .fixed(let shift): offsets[(index + shift) % offsets.count]
        case .jumping: (offsets + ["+0"])[Int.random(in: 0...offsets.count, using: &clockRandom)]
        }
    }

    private func nkclient(_ index: Int, _ researcher: Researcher, _ arguments: [String]) throws -> CommandResult {
        var environment = ["NKCLIENT_HOME": researcher.home.url.path]
        let offset = offset(for: index)
        offsetOfNextProcess[index] = offset
        if let offset, let faketime {
            environment.merge(faketime.shared.environment(library: faketime.library, offset: offset)) { $1 }
        }
        return try runCommand(TestPaths.nkclient, arguments, environment: environment)
    }

    /// After a sync: the replica's `lastSync` (its own clock) must read the real time moved by the
    /// offset the process ran at, and the server's newest `storedAt` (its clock) likewise when the
    /// sync pushed. A suite whose clocks were not really moved fails here.
    private func checkClocks(_ index: Int, started: Date, ended: Date, pushed: Bool) throws {
        let replica = replicas[index]
        let expected = SkewOffset.seconds(offsetOfNextProcess[index])
        let lastSync = try DatabaseProbe.open(replica.researcher.databasePath).read { db in
            try String.fetchOne(db, sql: "SELECT value FROM state WHERE key = 'lastSync'")
        }
        skewChecks += 1
        if !SkewOffset.within(
            lastSync.flatMap(SkewOffset.parseISO8601), started: started, ended: ended, offset: expected)
        {
            skewMismatches.append("\(replica.name) lastSync \(lastSync ?? "none"), expected offset \(expected) s")
        }
        guard pushed else { return }
        let storedAt = try DatabaseProbe.open(server.databasePath).read { db in
            try String.fetchOne(db, sql: "SELECT storedAt FROM versions ORDER BY seq DESC LIMIT 1")
        }
        let serverOffset = SkewOffset.seconds(clock.server)
        skewChecks += 1
        if !SkewOffset.within(
            storedAt.flatMap(SkewOffset.parseStored), started: started, ended: ended, offset: serverOffset)
        {
            skewMismatches.append("server storedAt \(storedAt ?? "none"), expected offset \(serverOffset) s")
        }
    }

    // MARK: Outcome

    /// Every database's annotations, posts, outbox, cursor and sync log, with replica ids and
    /// annotation ids named, and without a wall-clock field (`createdAt`, `updatedAt`, `storedAt`,
    /// `lastSync`, the log's `at`) nor the random `syncId`.
    private func outcome(server: PreloadedServer) throws -> [String] {
        var lines = transcript
        lines += try versions(of: "server", path: server.databasePath)
        for replica in replicas {
            let path = replica.researcher.databasePath
            lines += try versions(of: replica.name, path: path)
            lines += try DatabaseProbe.open(path).read { db in
                var rows = [
                    "\(replica.name) cursor \(try String.fetchOne(db, sql: "SELECT value FROM state WHERE key = 'cursor'") ?? "none")"
                ]
                for row in try Row.fetchAll(
                    db, sql: "SELECT action, recordType, recordId, editor, excerpt FROM sync_log ORDER BY id")
                {
                    let shown = self.name(type: row["recordType"], id: row["recordId"])
                    let action: String = row["action"]
                    let editor: String? = row["editor"]
                    let excerpt: String? = row["excerpt"]
                    rows.append("\(replica.name) log \(action) \(shown) by \(editor ?? "-"): \(excerpt ?? "")")
                }
                return rows
            }
        }
        return lines
    }

    private func versions(of label: String, path: String) throws -> [String] {
        let hasPending = label != "server"
        return try DatabaseProbe.open(path).read { db in
            try Row.fetchAll(
                db,
                sql:
                    "SELECT recordType, recordId, vector, deleted, editor, body\(hasPending ? ", pending" : "") FROM versions"
            )
        }.map { row in
            let type: String = row["recordType"]
            let vector = parseVector(row["vector"]).map { "\(replicaName($0.key)):\($0.value)" }.sorted()
                .joined(separator: ",")
            let deleted: Bool = row["deleted"]
            let editor: String? = row["editor"]
            var line = "\(label) \(type) \(name(type: type, id: row["recordId"])) [\(vector)]"
            line += " deleted=\(deleted) editor=\(editor ?? "-")"
            if hasPending { line += " pending=\(row["pending"] as Bool)" }
            let text: String = row["body"]
            let body = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
            if type == "annotation" {
                let anchor = body["anchor"] as? [String: Any] ?? [:]
                line +=
                    " author=\(body["author"] ?? "-") visibility=\(body["visibility"] ?? "-") post=\(body["postId"] ?? "-")"
                line +=
                    " anchor=\(anchor["start"] ?? "-")-\(anchor["end"] ?? "-") tags=\(body["tags"] ?? "-") note=\(body["note"] ?? "-")"
            } else {
                line += " title=\(body["title"] ?? "-")"
            }
            return line
        }.sorted()
    }

    /// A replica's annotation frontier by note name.
    private func frontier(_ path: String) throws -> [String: [(deleted: Bool, author: String)]] {
        let rows = try DatabaseProbe.open(path).read { db in
            try Row.fetchAll(db, sql: "SELECT recordId, deleted, body FROM versions WHERE recordType = 'annotation'")
        }
        var held: [String: [(deleted: Bool, author: String)]] = [:]
        for row in rows {
            let recordID: String = row["recordId"]
            guard let name = names[recordID] else { continue }
            let text: String = row["body"]
            let body = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any]
            held[name, default: []].append((row["deleted"], body?["author"] as? String ?? ""))
        }
        return held
    }
}
