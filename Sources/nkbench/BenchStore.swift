import Foundation
import GRDB
import NKTestSupport

/// Where a benchmark server keeps its data: a SQLite file of its own (the default), or a fresh
/// database on the PostgreSQL server that `scripts/with-postgres.sh` started (`NK_POSTGRES_URL`).
enum BenchStoreKind: String, Sendable, CaseIterable {
    case sqlite
    case postgres

    /// The one line printed when `--store postgres` has no PostgreSQL to use.
    static let missingPostgres =
        "nkbench: --store postgres needs a PostgreSQL server: run it under scripts/with-postgres.sh --durable "
        + "(which sets NK_POSTGRES_URL), e.g. scripts/with-postgres.sh --durable .build/release/nkbench --store postgres"
}

/// The store of one benchmark server: what `nkserver` is told (`--db PATH` or `--store URL`) and
/// the few direct reads the workloads make of it.
enum BenchStore: Sendable {
    case sqlite(path: String)
    case postgres(url: String)

    var kind: BenchStoreKind {
        switch self {
        case .sqlite: .sqlite
        case .postgres: .postgres
        }
    }

    /// The arguments that point an `nkserver` command at this store.
    var arguments: [String] {
        switch self {
        case .sqlite(let path): ["--db", path]
        case .postgres(let url): ["--store", url]
        }
    }
}

extension BenchStore {
    /// How many annotation versions the store holds, and their average body length in characters.
    func storedAnnotations() async throws -> (count: Int, averageBodyLength: Double) {
        switch self {
        case .sqlite(let path):
            return try await DatabaseQueue(path: path).read { db in
                let row = try Row.fetchOne(
                    db,
                    sql: "SELECT COUNT(*), COALESCE(AVG(LENGTH(body)), 0) FROM versions WHERE recordType = 'annotation'"
                )
                return (row?[0] ?? 0, row?[1] ?? 0)
            }
        case .postgres(let url):
            let line = try await TestPostgres.query(
                url, "SELECT COUNT(*), COALESCE(AVG(LENGTH(body)), 0) FROM nk_versions WHERE record_type = 'annotation'"
            )
            let fields = line.split(separator: "|")
            guard fields.count == 2, let count = Int(fields[0]), let average = Double(fields[1]) else {
                throw HarnessError("unexpected answer from psql: \(line)")
            }
            return (count, average)
        }
    }

    /// The store's size on disk: the SQLite file's pages (the WAL's included), or the PostgreSQL
    /// database's size.
    func databaseBytes() async throws -> Int {
        switch self {
        case .sqlite(let path):
            return try await DatabaseQueue(path: path).read { db in
                try Int.fetchOne(db, sql: "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()")
                    ?? 0
            }
        case .postgres(let url):
            let line = try await TestPostgres.query(url, "SELECT pg_database_size(current_database())")
            guard let bytes = Int(line) else { throw HarnessError("unexpected answer from psql: \(line)") }
            return bytes
        }
    }

    /// How many superseded versions the store keeps (0 for a build from before history).
    func historyRows() async throws -> Int {
        switch self {
        case .sqlite(let path):
            return try await DatabaseQueue(path: path).read { db in
                guard try db.tableExists("history") else { return 0 }
                return try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM history") ?? 0
            }
        case .postgres(let url):
            let line = try await TestPostgres.query(
                url,
                "SELECT CASE WHEN to_regclass('nk_history') IS NULL THEN 0 ELSE (SELECT COUNT(*) FROM nk_history) END")
            return Int(line) ?? 0
        }
    }

    /// The plan of the query behind `GET /v1/changes` with a cursor past every change.
    func changesQueryPlan() async throws -> [String] {
        switch self {
        case .sqlite(let path):
            return try await DatabaseQueue(path: path).read { db in
                try Row.fetchAll(
                    db, sql: "EXPLAIN QUERY PLAN SELECT * FROM versions WHERE seq > ? ORDER BY seq LIMIT ?",
                    arguments: [Int64.max - 1, 501]
                ).map { $0["detail"] as String? ?? "" }
            }
        case .postgres(let url):
            return try await TestPostgres.query(
                url, "EXPLAIN SELECT * FROM nk_versions WHERE seq > \(Int64.max - 1) ORDER BY seq LIMIT 501"
            ).split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        }
    }
}

extension BenchStoreKind {
    /// CPU seconds the PostgreSQL server of `NK_POSTGRES_URL` has used so far, every backend
    /// included (nil on SQLite, or when its postmaster cannot be found).
    func postgresCPUSeconds() -> Double? {
        guard self == .postgres, let adminURL = TestPostgres.adminURL,
            let folder = try? TestPostgres.query(adminURL, "SHOW data_directory"),
            let text = try? String(contentsOfFile: folder + "/postmaster.pid", encoding: .utf8),
            let pid = text.split(separator: "\n").first.flatMap({ Int32($0) })
        else { return nil }
        return ProcStat.treeCPUSeconds(pid: pid)
    }
}
