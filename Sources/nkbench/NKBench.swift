import ArgumentParser
import Foundation
import NKTestSupport

/// Resolved sizes and paths of one benchmark run.
struct BenchSettings: Sendable {
    var posts: Int
    var annotations: Int
    var push: Int
    var deltaSizes: [Int]
    var changes: Int
    var deltaRounds: Int
    var noopRounds: Int
    var researchers: Int
    var duration: Double
    var store: BenchStoreKind
    var servers: Int
    var searchPosts: Int
    var searchNotes: Int
    var searchRuns: Int
    var searchHome: URL?
    var serverBinary: URL
    var clientBinary: URL
}

/// `nkbench`: the sync benchmark of issue 5. A real `nkserver` on port 0 with a temporary
/// database, real replicas over libcurl, the raw SQLite floor in the same run; one JSON object of
/// results on stdout, a table on stderr.
@main
struct NKBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nkbench",
        abstract: "Benchmark nkserver and the NKClient sync engine; prints one JSON object of results.",
        discussion:
            "Sizes default to the issue's: push 10,000; pull 1,000 posts + 100,000 annotations; delta at 10k and 100k."
    )

    @Flag(help: "Tiny sizes that finish in a few seconds (the smoke test).")
    var quick = false

    @Option(help: "Posts on the server (initial pull and delta).")
    var posts: Int?

    @Option(help: "Annotations on the server for the initial pull.")
    var annotations: Int?

    @Option(help: "Annotations one replica creates offline and pushes.")
    var push: Int?

    @Option(help: "Annotations on the server for the delta workload, comma-separated (e.g. 10000,100000,1000000).")
    var deltaSizes: String?

    @Option(help: "Annotations changed before each delta sync.")
    var changes: Int?

    @Option(help: "Delta syncs measured per size (the median is reported).")
    var deltaRounds: Int?

    @Option(help: "No-op syncs measured.")
    var noopRounds: Int?

    @Option(help: "Concurrent researchers (replicas of different users).")
    var researchers: Int?

    @Option(help: "Seconds the researchers push and pull concurrently.")
    var duration: Double?

    @Option(help: "Posts in the replica of the search workload.")
    var searchPosts: Int?

    @Option(help: "Notes in the replica of the search workload.")
    var searchNotes: Int?

    @Option(help: "Runs of each search query measured (after two warm-ups).")
    var searchRuns: Int?

    @Option(
        help: ArgumentHelp(
            "Keep the search workload's replica in DIR (seeded when DIR holds none; kept afterwards, for profiling).",
            valueName: "DIR"))
    var searchHome: String?

    @Option(
        help:
            "Workloads to run, comma-separated: push, history, pull, delta, noop, many, search (default: all; with --servers 2: many)."
    )
    var only: String?

    @Option(
        help: ArgumentHelp(
            "The servers' store: sqlite (a file each) or postgres (a fresh database each on NK_POSTGRES_URL's server).",
            valueName: "sqlite|postgres"))
    var store: BenchStoreKind = .sqlite

    @Option(
        help: "nkserver instances on one PostgreSQL database for the many-researchers workload (researchers alternate)."
    )
    var servers = 1

    @Option(help: "The nkserver binary (default: beside nkbench).")
    var serverBinary: String?

    @Option(help: "The nkclient binary (default: beside nkbench).")
    var clientBinary: String?

    func validate() throws {
        for (name, value) in [
            ("posts", posts), ("annotations", annotations), ("push", push), ("changes", changes),
            ("search-posts", searchPosts), ("search-notes", searchNotes), ("search-runs", searchRuns),
        ] {
            if let value, value < 1 { throw ValidationError("--\(name) must be at least 1") }
        }
        if let sizes = deltaSizes, sizes.split(separator: ",").contains(where: { Int($0).map { $0 < 1 } ?? true }) {
            throw ValidationError("--delta-sizes takes positive whole numbers separated by commas")
        }
        if servers < 1 { throw ValidationError("--servers must be at least 1") }
        if servers > 1 && store != .postgres {
            throw ValidationError(
                "--servers \(servers) needs --store postgres: only PostgreSQL is shared by several nkserver processes")
        }
    }

    func settings() -> BenchSettings {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent()
        let annotationCount = annotations ?? (quick ? 400 : 100_000)
        return BenchSettings(
            posts: posts ?? (quick ? 20 : 1_000), annotations: annotationCount, push: push ?? (quick ? 200 : 10_000),
            deltaSizes: deltaSizes.map { $0.split(separator: ",").compactMap { Int($0) } }
                ?? (quick ? [200, annotationCount] : [10_000, annotationCount]),
            changes: changes ?? (quick ? 20 : 100), deltaRounds: deltaRounds ?? (quick ? 2 : 5),
            noopRounds: noopRounds ?? (quick ? 5 : 20), researchers: researchers ?? (quick ? 4 : 16),
            duration: duration ?? (quick ? 1.5 : 10), store: store, servers: servers,
            searchPosts: searchPosts ?? (quick ? 100 : 10_000), searchNotes: searchNotes ?? (quick ? 1_000 : 100_000),
            searchRuns: searchRuns ?? (quick ? 2 : 20), searchHome: searchHome.map { URL(fileURLWithPath: $0) },
            serverBinary: serverBinary.map { URL(fileURLWithPath: $0) } ?? beside.appendingPathComponent("nkserver"),
            clientBinary: clientBinary.map { URL(fileURLWithPath: $0) } ?? beside.appendingPathComponent("nkclient"))
    }

    func run() async throws {
        if store == .postgres && !TestPostgres.isAvailable {
            note(BenchStoreKind.missingPostgres)
            throw ExitCode(2)
        }
        let settings = settings()
        let selected = Set(
            (only ?? (servers > 1 ? "many" : "push,history,pull,delta,noop,many,search")).split(separator: ",").map(
                String.init))
        let workloads = Workloads(options: settings, corpus: BenchCorpus(posts: settings.posts))
        var results: [String: Any] = [
            "machine": Self.machine(), "quick": quick, "build": Self.buildKind, "store": store.rawValue,
            "servers": servers,
        ]
        if selected.contains("push") {
            note("push: \(settings.push) annotations…")
            results["push"] = try await workloads.push()
        }
        if selected.contains("history") {
            note("history: \(settings.push) annotations, then an edit of each…")
            results["history"] = try await workloads.history()
        }
        var pullRate = 0.0
        var loadedForPull: LoadedServer?
        if selected.contains("pull") || selected.contains("delta") || selected.contains("noop") {
            note("initial pull: \(settings.posts) posts + \(settings.annotations) annotations…")
            let loaded = try workloads.loadedServer(annotations: settings.annotations, salt: 1)
            let pull = try workloads.initialPull(loaded)
            pullRate = pull["sqliteFloorRecordsPerSecond"] as? Double ?? 0
            if selected.contains("pull") { results["initialPull"] = pull }
            loadedForPull = loaded
        }
        if selected.contains("delta"), let loadedForPull {
            var deltas: [[String: Any]] = []
            for (offset, size) in settings.deltaSizes.enumerated() {
                note("delta: \(settings.changes) changes on \(size) annotations…")
                let loaded: LoadedServer
                if size == settings.annotations {
                    loaded = loadedForPull
                } else {
                    loaded = try workloads.loadedServer(annotations: size, salt: 100 + offset)
                    let reader = try BenchReplica(
                        folder: loaded.readerFolder.url, server: loaded.server.url, token: loaded.readerToken,
                        user: "reader")
                    _ = try await reader.sync()
                }
                deltas.append(try await workloads.delta(loaded, floorRate: pullRate))
                if loaded.server !== loadedForPull.server {
                    loaded.server.stop()
                    loaded.readerFolder.remove()
                }
            }
            results["delta"] = deltas
            let seconds = deltas.map { ($0["annotations"] as? Int ?? 0, $0["seconds"] as? Double ?? 0) }
            if let smallest = seconds.min(by: { $0.0 < $1.0 }), let largest = seconds.max(by: { $0.0 < $1.0 }),
                smallest.1 > 0
            {
                results["deltaLargestToSmallest"] = rounded(largest.1 / smallest.1, 3)
            }
        }
        if selected.contains("noop"), let loadedForPull {
            note("no-op sync…")
            results["noop"] = try await workloads.noop(loadedForPull)
        }
        if let loadedForPull {
            loadedForPull.server.stop()
            loadedForPull.readerFolder.remove()
        }
        if selected.contains("many") {
            note("many researchers: \(settings.researchers) for \(settings.duration) s on \(servers) server(s)…")
            results["manyResearchers"] = try await workloads.manyResearchers()
        }
        if selected.contains("search") {
            note("search: \(settings.searchPosts) posts + \(settings.searchNotes) notes in a replica…")
            results["search"] = try workloads.search()
        }
        results["targets"] = Self.targets(results)
        let data = try JSONSerialization.data(withJSONObject: results, options: [.sortedKeys, .prettyPrinted])
        FileHandle.standardOutput.write(data + Data("\n".utf8))
        note(Report.table(results))
    }

    #if DEBUG
        static let buildKind = "debug"
    #else
        static let buildKind = "release"
    #endif

    static func machine() -> [String: Any] {
        var model = "unknown"
        if let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
            let line = info.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
            let colon = line.firstIndex(of: ":")
        {
            model = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var load = [0.0, 0.0, 0.0]
        _ = getloadavg(&load, 3)
        return [
            "cpu": model, "cores": ProcessInfo.processInfo.activeProcessorCount,
            "memoryGiB": rounded(Double(ProcessInfo.processInfo.physicalMemory) / 1_073_741_824, 1),
            "loadAverage": load.map { rounded($0, 2) },
        ]
    }

    /// The targets that can be judged without Kinto (compare-kinto.sh judges the rest).
    static func targets(_ results: [String: Any]) -> [String: Any] {
        var targets: [String: Any] = [:]
        if let push = results["push"] as? [String: Any], let ratio = push["ratioToSQLite"] as? Double {
            targets["pushAtLeast30PercentOfSQLite"] = ratio >= 0.3
        }
        if let pull = results["initialPull"] as? [String: Any], let ratio = pull["ratioToSQLite"] as? Double {
            targets["pullAtLeast30PercentOfSQLite"] = ratio >= 0.3
            targets["pullClientRSSUnder100MB"] = (pull["clientPeakRSSBytes"] as? Int ?? .max) < 100 * 1_048_576
        }
        if let ratio = results["deltaLargestToSmallest"] as? Double {
            targets["deltaLargestWithin1point5xOfSmallest"] = ratio <= 1.5
        }
        if let noop = results["noop"] as? [String: Any] {
            targets["noopOneRequest"] = (noop["requests"] as? Int) == 1 && (noop["requestsMin"] as? Int) == 1
        }
        if let many = results["manyResearchers"] as? [String: Any] {
            targets["manyNoFailuresConverged"] = (many["failures"] as? Int) == 0 && (many["converged"] as? Bool) == true
        }
        if let search = results["search"] as? [String: Any], let p95 = search["p95Seconds"] as? Double {
            targets["searchP95Under50ms"] = p95 < 0.05
        }
        return targets
    }
}

extension BenchStoreKind: ExpressibleByArgument {}
