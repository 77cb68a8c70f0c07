import Foundation
import GRDB
import NKClient
import NKProtocol
import NKTestSupport

/// One query of the search benchmark: what a researcher types, and the floor's filter for it.
struct SearchBenchQuery: Sendable {
    /// The query as typed.
    var query: String
    /// `nkclient search` options after it (filters, order).
    var options: [String] = []
    /// The floor's condition on `v`, the version row of a note (the floor reads notes only when a
    /// filter is set: a post's day is free text in its byline, which SQL cannot compare).
    var floorFilter: String?
    /// The floor orders notes by when they were written, newest first.
    var floorByDate = false

    var label: String { ([query] + options).joined(separator: " ") }

    /// The queries, each run as a whole `nkclient search` process: single words, stemmed words, a
    /// phrase, a prefix, hyphenated and joined names, acronyms, operators, and every filter.
    static let all: [SearchBenchQuery] = [
        SearchBenchQuery(query: "sanctions"),
        SearchBenchQuery(query: "sanction"),
        SearchBenchQuery(query: "diesel"),
        SearchBenchQuery(query: "smuggling"),
        SearchBenchQuery(query: "\"rice prices\""),
        SearchBenchQuery(query: "smuggl*"),
        SearchBenchQuery(query: "Kim Jong-un"),
        SearchBenchQuery(query: "Kim Jongun"),
        SearchBenchQuery(query: "Jang Song-thaek"),
        SearchBenchQuery(query: "DPRK"),
        SearchBenchQuery(query: "U.N. panel"),
        SearchBenchQuery(query: "hairdressing Kaesong"),
        SearchBenchQuery(query: "envoy OR defector"),
        SearchBenchQuery(query: "border trade"),
        SearchBenchQuery(
            query: "rice", options: ["--since", "2024-01-01"],
            floorFilter: "json_extract(v.body, '$.createdAt') >= '2024-01-01'"),
        SearchBenchQuery(
            query: "coal", options: ["--since", "2023-01-01", "--until", "2023-03-31"],
            floorFilter:
                "json_extract(v.body, '$.createdAt') >= '2023-01-01' AND json_extract(v.body, '$.createdAt') < '2023-04-01'"
        ),
        SearchBenchQuery(
            query: "sanctions", options: ["--group", "trade-team"],
            floorFilter: "json_extract(v.body, '$.visibility') = 'group:trade-team'"),
        SearchBenchQuery(
            query: "diesel", options: ["--visibility", "private"],
            floorFilter: "json_extract(v.body, '$.visibility') = 'private'"),
        SearchBenchQuery(
            query: "smuggling", options: ["--tag", "border"],
            floorFilter: "EXISTS (SELECT 1 FROM json_each(v.body, '$.tags') WHERE value = 'border' COLLATE NOCASE)"),
        SearchBenchQuery(
            query: "Kaesong", options: ["--author", "chen"],
            floorFilter: "json_extract(v.body, '$.author') = 'chen'"),
        SearchBenchQuery(query: "prices", options: ["--sort", "date"], floorFilter: "1", floorByDate: true),
        SearchBenchQuery(
            query: "Kim Jong-un", options: ["--sort", "date", "--since", "2024-06-01"],
            floorFilter: "json_extract(v.body, '$.createdAt') >= '2024-06-01'", floorByDate: true),
    ]

    /// The floor: the same FTS5 expression in the `sqlite3` shell, the first 20 rows with snippets.
    func floorSQL(_ expression: String) -> String {
        let match = "search MATCH '" + expression.replacingOccurrences(of: "'", with: "''") + "'"
        // One line a row, as nkclient prints a snippet: the index joins paragraphs with newlines.
        let columns = "r.recordType, r.recordId, replace(snippet(search, -1, '[', ']', '…', 12), char(10), ' ')"
        let rank = "bm25(search, \(SearchIndex.weights))"
        guard let floorFilter else {
            return "SELECT \(columns) FROM search JOIN search_rows r ON r.id = search.rowid WHERE \(match) "
                + "ORDER BY \(rank) LIMIT 20;"
        }
        return """
            SELECT \(columns) FROM search JOIN search_rows r ON r.id = search.rowid
            JOIN versions v ON v.recordType = r.recordType AND v.recordId = r.recordId AND v.vector = r.vector
            WHERE \(match) AND r.recordType = 'annotation' AND \(floorFilter)
            ORDER BY \(floorByDate ? "json_extract(v.body, '$.createdAt') DESC" : rank) LIMIT 20;
            """
    }
}

/// A replica seeded with the search corpus, written straight into `versions` in one transaction as a
/// pull would leave them (not pending); the replica's own triggers fill the full-text index.
enum SearchSeed {
    struct Seeded {
        var seconds: Double
        var indexRows: Int
        var databaseBytes: Int
    }

    static func seed(_ corpus: SearchCorpus, home: URL) throws -> Seeded {
        let start = Date()
        let config = ClientConfig(
            server: "http://127.0.0.1:1", token: "bench", user: SearchCorpus.reader, replica: ReplicaID.random())
        _ = try Replica.create(home: ReplicaHome(url: home), config: config, replacing: false)
        let path = home.appendingPathComponent("replica.sqlite").path
        var configuration = Configuration()
        // A page cache that holds the whole index while it is written (SQLite's default is 2 MB).
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA cache_size = -262144") }
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        let encoder = Wire.makeEncoder()
        func json<T: Encodable>(_ value: T) throws -> String {
            String(decoding: try encoder.encode(value), as: UTF8.self)
        }
        let importVector = VersionVector([ReplicaID("bench-import"): 1])
        let importVectorJSON = try json(importVector)
        try queue.write { db in
            let statement = try db.makeStatement(
                sql: """
                    INSERT INTO versions (recordType, recordId, vector, vectorJSON, deleted, editor, postId, body, pending)
                    VALUES (?, ?, ?, ?, 0, ?, ?, ?, 0)
                    """)
            var posts: [SearchCorpus.GeneratedPost] = []
            posts.reserveCapacity(corpus.postCount)
            for index in 0..<corpus.postCount {
                let generated = corpus.post(index)
                posts.append(generated)
                try statement.execute(arguments: [
                    "post", generated.post.id.rawValue, importVector.canonical, importVectorJSON, nil, nil,
                    try json(generated.post),
                ])
            }
            for index in 0..<corpus.noteCount {
                let id = BenchCorpus.annotationID(salt: 16, index: index)
                var note = corpus.note(index, on: posts[corpus.postIndex(ofNote: index)], id: id)
                note.anchor?.postVersion = importVector
                let vector = VersionVector([ReplicaID("bench-\(note.author)"): UInt64(index + 1)])
                try statement.execute(arguments: [
                    "annotation", id.rawValue, vector.canonical, try json(vector), note.author,
                    note.postId.rawValue, try json(note),
                ])
            }
        }
        // Everything in the main file: the sqlite3 shell and nkclient read the same pages.
        try queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        let rows = try queue.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM search_rows") ?? 0 }
        let bytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        return Seeded(seconds: Date().timeIntervalSince(start), indexRows: rows, databaseBytes: bytes)
    }

    /// A replica `seed` made before in `home` (`--search-home`), checked to hold the corpus' sizes.
    static func reuse(_ corpus: SearchCorpus, home: URL) throws -> Seeded {
        let path = home.appendingPathComponent("replica.sqlite").path
        let counts = try DatabaseQueue(path: path).read { db in
            try Row.fetchAll(db, sql: "SELECT recordType, count(*) FROM versions GROUP BY recordType")
                .reduce(into: [String: Int]()) { $0[$1[0]] = $1[1] }
        }
        guard counts["post"] == corpus.postCount, counts["annotation"] == corpus.noteCount else {
            throw HarnessError("\(path) holds other sizes (\(counts)); remove it or give its sizes")
        }
        let rows = (counts["post"] ?? 0) + (counts["annotation"] ?? 0)
        let bytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        return Seeded(seconds: 0, indexRows: rows, databaseBytes: bytes)
    }
}

extension Workloads {
    // MARK: Search

    /// Search at the issue's sizes (issue 16): a replica seeded with `searchPosts` posts and
    /// `searchNotes` notes; every query of ``SearchBenchQuery/all`` run as a whole `nkclient search`
    /// process (start included) `searchRuns` times after two warm-ups, beside the floor, the `sqlite3`
    /// shell running the same FTS5 expression on the same file.
    func search() throws -> [String: Any] {
        let corpus = SearchCorpus(postCount: options.searchPosts, noteCount: options.searchNotes)
        let temporary = options.searchHome == nil ? try TemporaryFolder("nkbench-search") : nil
        defer { temporary?.remove() }
        let home = options.searchHome ?? temporary!.url
        let database = home.appendingPathComponent("replica.sqlite").path
        let seeded: SearchSeed.Seeded
        if FileManager.default.fileExists(atPath: database) {
            seeded = try SearchSeed.reuse(corpus, home: home)
        } else {
            try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
            seeded = try SearchSeed.seed(corpus, home: home)
        }
        let sqlite3 = Self.sqlite3()
        let environment = ["NKCLIENT_HOME": home.path]
        let output = home.appendingPathComponent("out.txt").path
        let runs = options.searchRuns
        let warmUps = 2

        var cpu: [String: [Double]] = [:]
        /// Runs one process to its end: wall-clock seconds, and its output. Its CPU seconds (user and
        /// system, from the children's rusage: one child at a time) go to `cpu[label]`.
        func timed(_ binary: URL, _ arguments: [String], env: [String: String] = [:], cpuLabel: String? = nil)
            throws -> (Double, String)
        {
            let cpuBefore = ProcStat.reapedChildrenCPUSeconds()
            let start = DispatchTime.now().uptimeNanoseconds
            let child = try SpawnedProcess(binary, arguments, environment: env, stdout: .file(output))
            let end = child.waitForEnd()
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            if let cpuLabel { cpu[cpuLabel, default: []].append(ProcStat.reapedChildrenCPUSeconds() - cpuBefore) }
            let text = capturedText(URL(fileURLWithPath: output))
            guard end == .exited(0) else {
                throw HarnessError("\(binary.lastPathComponent) \(arguments.joined(separator: " ")): \(end)")
            }
            return (seconds, text)
        }
        func sample(_ body: (Bool) throws -> Double) throws -> [Double] {
            for _ in 0..<warmUps { _ = try body(false) }
            return try (0..<runs).map { _ in try body(true) }
        }

        let start = try sample { measured in
            try timed(options.clientBinary, ["--help"], cpuLabel: measured ? "start" : nil).0
        }
        let floorStart = try sqlite3.map { shell in try sample { _ in try timed(shell, [":memory:", "SELECT 1;"]).0 } }
        let matchQueue = try DatabaseQueue(path: database)
        var rows: [[String: Any]] = []
        var all: [Double] = []
        for query in SearchBenchQuery.all {
            guard let expression = SearchQuery(query.query).expression else {
                throw HarnessError("search bench: '\(query.query)' holds no word")
            }
            let matches = try matchQueue.read { db in
                try Row.fetchAll(
                    db,
                    sql: """
                        SELECT r.recordType AS type, count(*) AS n FROM search JOIN search_rows r ON r.id = search.rowid
                        WHERE search MATCH ? GROUP BY r.recordType
                        """, arguments: [expression]
                ).reduce(into: [String: Int]()) { $0[$1["type"]] = $1["n"] }
            }
            var client: [Double] = []
            var floor: [Double] = []
            var hits = 0
            var floorRows = 0
            // Interleaved, so a change of load on the shared machine falls on both alike.
            for run in 0..<(warmUps + runs) {
                let (seconds, text) = try timed(
                    options.clientBinary, ["search", query.query] + query.options, env: environment,
                    cpuLabel: run >= warmUps ? query.label : nil)
                hits = text.split(separator: "\n").filter { $0.hasPrefix("post  ") || $0.hasPrefix("note  ") }.count
                if run >= warmUps { client.append(seconds) }
                if let sqlite3 {
                    let (floorSeconds, floorText) = try timed(
                        sqlite3, [database, query.floorSQL(expression)],
                        cpuLabel: run >= warmUps ? "floor " + query.label : nil)
                    floorRows = floorText.split(separator: "\n").count
                    if run >= warmUps { floor.append(floorSeconds) }
                }
            }
            all += client
            var row: [String: Any] = [
                "query": query.label, "expression": expression, "notesMatched": matches["annotation"] ?? 0,
                "postsMatched": matches["post"] ?? 0, "hits": hits, "runs": runs,
                "p50Seconds": rounded(Stats.percentile(client, 0.5), 5),
                "p95Seconds": rounded(Stats.percentile(client, 0.95), 5), "maxSeconds": rounded(client.max() ?? 0, 5),
                "cpuP50Seconds": rounded(Stats.percentile(cpu[query.label] ?? [], 0.5), 5),
                "cpuP95Seconds": rounded(Stats.percentile(cpu[query.label] ?? [], 0.95), 5),
            ]
            if sqlite3 != nil {
                row["floorRows"] = floorRows
                row["floorP50Seconds"] = rounded(Stats.percentile(floor, 0.5), 5)
                row["floorP95Seconds"] = rounded(Stats.percentile(floor, 0.95), 5)
                row["floorCPUP50Seconds"] = rounded(Stats.percentile(cpu["floor " + query.label] ?? [], 0.5), 5)
            }
            note("search: " + Report.searchLine(row))
            rows.append(row)
        }
        let allCPU = SearchBenchQuery.all.flatMap { cpu[$0.label] ?? [] }
        var figures: [String: Any] = [
            "posts": corpus.postCount, "notes": corpus.noteCount, "indexRows": seeded.indexRows,
            "databaseBytes": seeded.databaseBytes, "seedSeconds": rounded(seeded.seconds, 2), "runs": runs,
            "warmUps": warmUps, "queries": rows, "p50Seconds": rounded(Stats.percentile(all, 0.5), 5),
            "p95Seconds": rounded(Stats.percentile(all, 0.95), 5), "maxSeconds": rounded(all.max() ?? 0, 5),
            "queriesWithP95Over50ms": rows.filter { ($0["p95Seconds"] as? Double ?? 0) >= 0.05 }.count,
            "processStartP50Seconds": rounded(Stats.percentile(start, 0.5), 5),
            "processStartCPUP50Seconds": rounded(Stats.percentile(cpu["start"] ?? [], 0.5), 5),
            "cpuP50Seconds": rounded(Stats.percentile(allCPU, 0.5), 5),
            "cpuP95Seconds": rounded(Stats.percentile(allCPU, 0.95), 5),
            "floorAvailable": sqlite3 != nil,
        ]
        if let floorStart { figures["floorProcessStartP50Seconds"] = rounded(Stats.percentile(floorStart, 0.5), 5) }
        return figures
    }

    /// The `sqlite3` shell on the PATH, if there is one.
    static func sqlite3() -> URL? {
        let paths = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        return paths.map { URL(fileURLWithPath: String($0)).appendingPathComponent("sqlite3") }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }
}
