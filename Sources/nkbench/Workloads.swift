import Foundation
import GRDB
import NKClient
import NKProtocol
import NKTestSupport

/// A server loaded with posts and annotations, and a reader replica that holds all of it.
struct LoadedServer {
    let server: BenchServer
    let loaderToken: String
    let readerToken: String
    let loaderReplica: ReplicaID
    let salt: Int
    let annotations: Int
    let readerFolder: TemporaryFolder
}

/// The workloads of issue 5, each returning its figures as a JSON-ready dictionary.
struct Workloads {
    let options: BenchSettings
    let corpus: BenchCorpus

    // MARK: Push

    func push() async throws -> [String: Any] {
        let count = options.push
        let server = try BenchServer(binary: options.serverBinary, label: "push", kind: options.store)
        let token = try server.addUser("pusher")
        try server.admin(["import", try corpus.writeDump(in: server.folder.url)])
        try server.start()
        defer { server.stop() }
        let folder = try TemporaryFolder("nkbench-pusher")
        defer { folder.remove() }
        var pusher = try BenchReplica(folder: folder.url, server: server.url, token: token, user: "pusher")
        _ = try await pusher.sync()
        let createStart = Date()
        for index in 0..<count {
            let (post, passage) = corpus.placement(of: index)
            try pusher.replica.annotate(
                post: corpus.posts[post].id.rawValue, quote: BenchCorpus.quote(post: post, passage: passage),
                note: BenchCorpus.note(index), tags: BenchCorpus.tags(index))
        }
        let createSeconds = Date().timeIntervalSince(createStart)
        let clock = PhaseClock()
        pusher.engine.progress = clock
        let cpuBefore = server.cpuSeconds()
        let postgresBefore = options.store.postgresCPUSeconds()
        let start = Date()
        let (summary, seconds) = try await pusher.sync()
        let serverCPU = server.cpuSeconds() - cpuBefore
        let postgresCPU = options.store.postgresCPUSeconds().flatMap { after in postgresBefore.map { after - $0 } }
        let pushSeconds = clock.pushEnded.map { $0.timeIntervalSince(start) } ?? seconds
        let (stored, bodyLength) = try await server.store.storedAnnotations()
        // The floor is SQLite's: on PostgreSQL the figures are compared with the SQLite run's instead.
        let floor = try server.databasePath.map {
            try SQLiteFloor.server(from: $0, serverBinary: options.serverBinary)
        }
        let rate = Double(count) / seconds
        var figures: [String: Any] = [
            "store": server.store.kind.rawValue, "records": count, "pushed": summary.pushed, "stored": stored,
            "rejected": summary.rejections.count, "averageBodyBytes": rounded(bodyLength, 0),
            "seconds": rounded(seconds), "recordsPerSecond": rounded(rate, 1), "pushPhaseSeconds": rounded(pushSeconds),
            "pushPhaseRecordsPerSecond": rounded(Double(count) / pushSeconds, 1),
            "serverCPUSeconds": rounded(serverCPU, 3),
            "serverCPUSecondsPer10k": rounded(serverCPU * 10_000 / Double(count), 3),
            "offlineCreateSeconds": rounded(createSeconds, 3),
        ]
        if let postgresCPU {
            figures["postgresCPUSeconds"] = rounded(postgresCPU, 3)
            figures["postgresCPUSecondsPer10k"] = rounded(postgresCPU * 10_000 / Double(count), 3)
        }
        if let floor {
            figures["sqliteFloorRecordsPerSecond"] = rounded(floor.rowsPerSecond, 1)
            figures["sqliteFloorSeconds"] = rounded(floor.seconds)
            figures["ratioToSQLite"] = rounded(rate / floor.rowsPerSecond)
            figures["pushPhaseRatioToSQLite"] = rounded(Double(count) / pushSeconds / floor.rowsPerSecond)
        }
        return figures
    }

    // MARK: Loading

    /// A server with the corpus and `count` annotations written straight into its database, started.
    func loadedServer(annotations count: Int, salt: Int) throws -> LoadedServer {
        let server = try BenchServer(binary: options.serverBinary, label: "loaded-\(count)", kind: options.store)
        let loaderToken = try server.addUser("loader")
        let readerToken = try server.addUser("reader")
        try server.admin(["import", try corpus.writeDump(in: server.folder.url)])
        let loaderReplica = ReplicaID("bench-loader-\(salt)")
        try DirectLoader(
            corpus: corpus, store: server.store, author: "loader", replica: loaderReplica, salt: salt
        ).load(count: count)
        try server.start()
        return LoadedServer(
            server: server, loaderToken: loaderToken, readerToken: readerToken, loaderReplica: loaderReplica,
            salt: salt, annotations: count,
            readerFolder: try TemporaryFolder("nkbench-reader-\(count)"))
    }

    // MARK: Initial pull

    /// A fresh replica runs `nkclient sync` (a child process, for its peak RSS) against a server
    /// holding the posts and `annotations`.
    func initialPull(_ loaded: LoadedServer) throws -> [String: Any] {
        _ = try BenchReplica(
            folder: loaded.readerFolder.url, server: loaded.server.url, token: loaded.readerToken, user: "reader")
        let run = try MeasuredRun.run(
            options.clientBinary, ["sync", "--json"], environment: ["NKCLIENT_HOME": loaded.readerFolder.url.path])
        guard run.status == 0,
            let object = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
        else { throw HarnessError("nkclient sync failed (exit \(run.status)): \(run.stdout)") }
        let pulled = object["pulled"] as? Int ?? -1
        let records = corpus.postCount + loaded.annotations
        let held = try DatabaseQueue(path: loaded.readerFolder.url.appendingPathComponent("replica.sqlite").path)
            .read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM versions") ?? 0 }
        let floor = try SQLiteFloor.replica(from: loaded.readerFolder.url)
        let rate = Double(records) / run.seconds
        return [
            "posts": corpus.postCount, "annotations": loaded.annotations, "records": records, "pulled": pulled,
            "held": held, "seconds": rounded(run.seconds), "recordsPerSecond": rounded(rate, 1),
            "clientPeakRSSBytes": run.peakRSSBytes,
            "clientPeakRSSMB": rounded(Double(run.peakRSSBytes) / 1_048_576, 1),
            "sqliteFloorRecordsPerSecond": rounded(floor.rowsPerSecond, 1),
            "sqliteFloorSeconds": rounded(floor.seconds), "ratioToSQLite": rounded(rate / floor.rowsPerSecond),
        ]
    }

    // MARK: Delta and no-op

    /// The loader's replica edits `changes` annotations (pushed through ``ServerAPI``); the reader,
    /// which holds everything, syncs. Repeated `rounds` times; the median is reported.
    func delta(_ loaded: LoadedServer, floorRate: Double) async throws -> [String: Any] {
        let reader = try BenchReplica(opening: loaded.readerFolder.url)
        let editor = ServerAPI(server: loaded.server.url, token: loaded.loaderToken, transport: CurlTransport())
        let changes = options.changes
        var times: [Double] = []
        var requests: [Int] = []
        var pulled: [Int] = []
        var httpTimes: [Double] = []
        for round in 1...options.deltaRounds {
            let versions = try (0..<changes).map { change in
                let index = (change * (loaded.annotations / changes) + round) % loaded.annotations
                let id = BenchCorpus.annotationID(salt: loaded.salt, index: index)
                let annotation = try corpus.annotation(
                    id: id, index: index, author: "loader", note: BenchCorpus.note(index, edit: round),
                    date: Date(timeIntervalSince1970: 1_710_000_000))
                return RecordVersion(
                    version: VersionVector([loaded.loaderReplica: UInt64(round + 1)]), body: .annotation(annotation))
            }
            let response = try await editor.push(PushRequest(replica: loaded.loaderReplica, versions: versions))
            let applied = response.results.filter { $0.status == .applied }.count
            guard applied == changes else { throw HarnessError("delta edits: \(applied) of \(changes) applied") }
            let before = reader.transport.requests
            let waitedBefore = reader.transport.seconds
            let (summary, seconds) = try await reader.sync()
            times.append(seconds)
            httpTimes.append(reader.transport.seconds - waitedBefore)
            requests.append(reader.transport.requests - before)
            pulled.append(summary.pulled)
        }
        let median = Stats.median(times)
        let floorSeconds = Double(changes) / floorRate
        return [
            "annotations": loaded.annotations, "changed": changes, "rounds": options.deltaRounds,
            "pulled": pulled.min() ?? 0, "pulledMax": pulled.max() ?? 0, "requests": requests.max() ?? 0,
            "seconds": rounded(median, 5), "secondsAll": times.map { rounded($0, 5) },
            "httpSeconds": rounded(Stats.median(httpTimes), 5),
            "sqliteFloorSeconds": rounded(floorSeconds, 6), "ratioToSQLite": rounded(floorSeconds / median),
        ]
    }

    /// Nothing changed: the reader syncs `noopRounds` times.
    func noop(_ loaded: LoadedServer) async throws -> [String: Any] {
        let reader = try BenchReplica(opening: loaded.readerFolder.url)
        _ = try await reader.sync()
        var times: [Double] = []
        var requests: [Int] = []
        var pulled = 0
        for _ in 0..<options.noopRounds {
            let before = reader.transport.requests
            let (summary, seconds) = try await reader.sync()
            times.append(seconds)
            requests.append(reader.transport.requests - before)
            pulled += summary.pulled + summary.pushed
        }
        let plan = try await loaded.server.store.changesQueryPlan()
        return [
            "annotations": loaded.annotations, "rounds": options.noopRounds, "changed": pulled,
            "requests": requests.max() ?? 0, "requestsMin": requests.min() ?? 0,
            "seconds": rounded(Stats.median(times), 5), "p99Seconds": rounded(Stats.percentile(times, 0.99), 5),
            "changesQueryPlan": plan,
        ]
    }

    // MARK: Many researchers

    func manyResearchers() async throws -> [String: Any] {
        let small = BenchCorpus(posts: min(corpus.postCount, 50))
        let server = try BenchServer(binary: options.serverBinary, label: "many", kind: options.store)
        var tokens: [String] = []
        for index in 0..<options.researchers { tokens.append(try server.addUser("researcher\(index)")) }
        try server.admin(["import", try small.writeDump(in: server.folder.url)])
        try server.start(instances: options.servers)
        defer { server.stop() }
        let folder = try TemporaryFolder("nkbench-many")
        defer { folder.remove() }
        var replicas: [BenchReplica] = []
        for index in 0..<options.researchers {
            let replica = try BenchReplica(
                folder: folder.url.appendingPathComponent("r\(index)"), server: server.urls[index % server.urls.count],
                token: tokens[index],
                user: "researcher\(index)")
            _ = try await replica.sync()
            replicas.append(replica)
        }
        let cpuBefore = server.cpuSecondsPerInstance()
        let postgresBefore = options.store.postgresCPUSeconds()
        let deadline = Date().addingTimeInterval(options.duration)
        let start = Date()
        let outcomes = try await withThrowingTaskGroup(of: ResearcherOutcome.self) { group in
            for (index, replica) in replicas.enumerated() {
                group.addTask { try await Self.researcher(index, replica, small, until: deadline) }
            }
            var all: [ResearcherOutcome] = []
            for try await outcome in group { all.append(outcome) }
            return all
        }
        let elapsed = Date().timeIntervalSince(start)
        let cpu = zip(server.cpuSecondsPerInstance(), cpuBefore).map { rounded($0 - $1, 3) }
        let postgresCPU = options.store.postgresCPUSeconds().flatMap { after in postgresBefore.map { after - $0 } }
        // Everyone stops writing; two rounds of syncs carry every write to every replica.
        var finalFailures = 0
        for _ in 0..<2 {
            for replica in replicas {
                do { _ = try await replica.sync() } catch { finalFailures += 1 }
            }
        }
        var expected: [String: String] = [:]
        for outcome in outcomes { expected.merge(outcome.notes) { first, _ in first } }
        var converged = true
        var duplicates = 0
        var conflicts = 0
        for replica in replicas {
            let notes = try replica.replica.notes()
            var seen: [String: String] = [:]
            for entry in notes {
                if seen[entry.id.rawValue] != nil { duplicates += 1 }
                seen[entry.id.rawValue] = entry.note
                if entry.conflict { conflicts += 1 }
            }
            if seen != expected { converged = false }
        }
        let latencies = outcomes.flatMap(\.latencies)
        let syncs = latencies.count
        let failures = outcomes.map(\.failures).reduce(0, +) + finalFailures
        let peaks = server.peakRSSBytesPerInstance()
        let syncsPerServer = (0..<server.urls.count).map { instance in
            outcomes.filter { $0.index % server.urls.count == instance }.map(\.latencies.count).reduce(0, +)
        }
        var figures: [String: Any] = [
            "store": server.store.kind.rawValue, "servers": server.urls.count, "serverCPUSeconds": cpu,
            "syncsPerServer": syncsPerServer,
            "serverPeakRSSMBEach": peaks.map { rounded(Double($0) / 1_048_576, 1) },
            "replicas": options.researchers, "seconds": rounded(elapsed, 3), "syncs": syncs,
            "syncsPerSecond": rounded(Double(syncs) / elapsed, 1),
            "p50Seconds": rounded(Stats.percentile(latencies, 0.5), 5),
            "p99Seconds": rounded(Stats.percentile(latencies, 0.99), 5), "failures": failures,
            "writes": outcomes.map(\.writes).reduce(0, +), "annotations": expected.count,
            "duplicates": duplicates, "conflicts": conflicts, "converged": converged && duplicates == 0,
            "serverPeakRSSBytes": peaks.max() ?? 0, "serverPeakRSSMB": rounded(Double(peaks.max() ?? 0) / 1_048_576, 1),
        ]
        if let postgresCPU { figures["postgresCPUSeconds"] = rounded(postgresCPU, 3) }
        return figures
    }

    struct ResearcherOutcome: Sendable {
        var index: Int
        var latencies: [Double] = []
        var failures = 0
        var writes = 0
        /// Every annotation this researcher made, with the note it last wrote.
        var notes: [String: String] = [:]
    }

    /// One researcher until `deadline`: annotate, now and then edit an own note, sync; repeat.
    static func researcher(_ index: Int, _ bench: BenchReplica, _ corpus: BenchCorpus, until deadline: Date)
        async throws -> ResearcherOutcome
    {
        var outcome = ResearcherOutcome(index: index)
        var step = 0
        while Date() < deadline {
            let number = index * 1_000_000 + step
            let (post, passage) = corpus.placement(of: number)
            let replica = bench.replica
            let text = "researcher \(index) note \(step)"
            let tags = BenchCorpus.tags(step)
            let id = try await offPool {
                try replica.annotate(
                    post: corpus.posts[post].id.rawValue, quote: BenchCorpus.quote(post: post, passage: passage),
                    note: text, tags: tags)
            }
            outcome.notes[id.rawValue] = text
            outcome.writes += 1
            if step % 3 == 2, let earlier = outcome.notes.keys.sorted().first {
                let edited = "researcher \(index) edit \(step)"
                _ = try await offPool { try replica.edit(earlier, note: edited) }
                outcome.notes[earlier] = edited
                outcome.writes += 1
            }
            do {
                let (_, seconds) = try await bench.sync()
                outcome.latencies.append(seconds)
            } catch {
                outcome.failures += 1
                note("researcher \(index): sync failed: \(error)")
            }
            step += 1
        }
        return outcome
    }
}
