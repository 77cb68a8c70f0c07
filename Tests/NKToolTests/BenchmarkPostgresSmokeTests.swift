import Foundation
import NKTestSupport
import NKTestTraits
import Testing

/// Keeps `nkbench --store postgres` and `--servers 2` working: the workloads run on PostgreSQL and
/// two nkserver instances on one database converge. Not timed: no figure is compared with a
/// threshold.
@Suite(.serialized, .processes, .tags(.slow, .postgres)) struct BenchmarkPostgresSmokeTests {
    static let binary = TestPaths.binaries.appendingPathComponent("nkbench")

    static func run(_ arguments: [String]) throws -> [String: Any] {
        try #require(
            FileManager.default.isExecutableFile(atPath: binary.path),
            "build nkbench first: swift build --product nkbench")
        let result = try runCommand(binary, arguments, timeout: 300)
        try #require(result.succeeded, "\(result)")
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
        return try #require(object as? [String: Any], "stdout is one JSON object")
    }

    @Test(.enabled(if: TestPostgres.isAvailable, Comment(rawValue: TestPostgres.unavailableReason)))
    func quickBenchmarkOnPostgres() throws {
        let json = try Self.run(["--quick", "--store", "postgres"])
        #expect(json["store"] as? String == "postgres")

        let push = try #require(json["push"] as? [String: Any])
        let pushed = try #require(push["records"] as? Int)
        #expect(push["stored"] as? Int == pushed)
        #expect(push["rejected"] as? Int == 0)
        #expect(push["ratioToSQLite"] == nil, "the SQLite floor is not a PostgreSQL figure")
        // PostgreSQL's CPU is read (from /proc, in clock ticks of 10 ms); the quick push, one batched
        // INSERT per 500 versions, may well use less than a tick.
        #expect((push["postgresCPUSeconds"] as? Double).map { $0 >= 0 } == true)

        let pull = try #require(json["initialPull"] as? [String: Any])
        let records = try #require(pull["records"] as? Int)
        #expect(pull["pulled"] as? Int == records)
        #expect(pull["held"] as? Int == records)

        let deltas = try #require(json["delta"] as? [[String: Any]])
        #expect(deltas.count >= 2)
        for delta in deltas {
            #expect(delta["pulled"] as? Int == delta["changed"] as? Int)
            #expect(delta["requests"] as? Int == 1)
        }

        let noop = try #require(json["noop"] as? [String: Any])
        #expect(noop["requests"] as? Int == 1)
        #expect(noop["changed"] as? Int == 0)
        let plan = try #require(noop["changesQueryPlan"] as? [String])
        #expect(plan.contains { $0.contains("nk_versions_pkey") })

        let many = try #require(json["manyResearchers"] as? [String: Any])
        #expect(many["failures"] as? Int == 0)
        #expect(many["converged"] as? Bool == true)
        #expect(many["servers"] as? Int == 1)
    }

    @Test(.enabled(if: TestPostgres.isAvailable, Comment(rawValue: TestPostgres.unavailableReason)))
    func twoServersOnOneDatabaseConverge() throws {
        let json = try Self.run(["--quick", "--store", "postgres", "--servers", "2"])
        #expect(json["push"] == nil && json["initialPull"] == nil, "--servers 2 runs only the many workload")
        let many = try #require(json["manyResearchers"] as? [String: Any])
        #expect(many["servers"] as? Int == 2)
        #expect(many["failures"] as? Int == 0)
        #expect(many["duplicates"] as? Int == 0)
        #expect(many["converged"] as? Bool == true)
        let perServer = try #require(many["syncsPerServer"] as? [Int])
        #expect(perServer.count == 2 && perServer.allSatisfy { $0 > 0 })
        let cpu = try #require(many["serverCPUSeconds"] as? [Double])
        #expect(cpu.count == 2 && cpu.allSatisfy { $0 > 0 })
    }

    @Test func postgresWithoutServerFailsInOneLine() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.binary.path))
        let result = try runCommand(
            Self.binary, ["--quick", "--store", "postgres"], environment: ["NK_POSTGRES_URL": ""], timeout: 60)
        #expect(!result.succeeded)
        #expect(result.stdout.isEmpty)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1)
        #expect(lines.first?.contains("scripts/with-postgres.sh") == true)
    }

    @Test func severalServersNeedPostgres() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.binary.path))
        let result = try runCommand(Self.binary, ["--quick", "--servers", "2"], timeout: 60)
        #expect(!result.succeeded)
        #expect(result.stderr.contains("--store postgres"))
    }
}
