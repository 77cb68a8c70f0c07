import Foundation
import NKTestSupport
import NKTestTraits
import Testing

/// Keeps `nkbench` working: runs `nkbench --quick` (built beside the test bundle) and checks that
/// every workload reported sane figures. Not a timed test: no figure is compared with a threshold.
@Suite(.processes, .tags(.slow)) struct BenchmarkSmokeTests {
    @Test func quickBenchmarkReportsEveryWorkload() throws {
        let binary = TestPaths.binaries.appendingPathComponent("nkbench")
        try #require(
            FileManager.default.isExecutableFile(atPath: binary.path),
            "build nkbench first: swift build --product nkbench")
        let result = try runCommand(binary, ["--quick"], timeout: 300)
        try #require(result.succeeded, "\(result)")
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
        let json = try #require(object as? [String: Any], "stdout is one JSON object")

        let push = try #require(json["push"] as? [String: Any])
        let pushed = try #require(push["records"] as? Int)
        #expect(pushed > 0)
        #expect(push["pushed"] as? Int == pushed)
        #expect(push["stored"] as? Int == pushed)
        #expect(push["rejected"] as? Int == 0)
        #expect((push["recordsPerSecond"] as? Double ?? 0) > 0)
        #expect((push["ratioToSQLite"] as? Double ?? 0) > 0)
        #expect((push["serverCPUSecondsPer10k"] as? Double ?? -1) >= 0)

        let pull = try #require(json["initialPull"] as? [String: Any])
        let records = try #require(pull["records"] as? Int)
        #expect(records == (pull["posts"] as? Int ?? 0) + (pull["annotations"] as? Int ?? 0))
        #expect(pull["pulled"] as? Int == records)
        #expect(pull["held"] as? Int == records)
        #expect((pull["ratioToSQLite"] as? Double ?? 0) > 0)
        #expect((pull["clientPeakRSSBytes"] as? Int ?? 0) > 0)

        let deltas = try #require(json["delta"] as? [[String: Any]])
        #expect(deltas.count >= 2)
        for delta in deltas {
            #expect(delta["pulled"] as? Int == delta["changed"] as? Int)
            #expect(delta["pulledMax"] as? Int == delta["changed"] as? Int)
            #expect(delta["requests"] as? Int == 1)
            #expect((delta["seconds"] as? Double ?? 0) > 0)
            #expect((delta["ratioToSQLite"] as? Double ?? 0) > 0)
        }

        let noop = try #require(json["noop"] as? [String: Any])
        #expect(noop["requests"] as? Int == 1)
        #expect(noop["requestsMin"] as? Int == 1)
        #expect(noop["changed"] as? Int == 0)
        let plan = try #require(noop["changesQueryPlan"] as? [String])
        #expect(plan.contains { $0.contains("INTEGER PRIMARY KEY") })

        let many = try #require(json["manyResearchers"] as? [String: Any])
        #expect(many["failures"] as? Int == 0)
        #expect(many["converged"] as? Bool == true)
        #expect(many["duplicates"] as? Int == 0)
        #expect((many["syncs"] as? Int ?? 0) > 0)
        #expect((many["annotations"] as? Int ?? 0) > 0)
        #expect((many["serverPeakRSSBytes"] as? Int ?? 0) > 0)

        try expectSearchFigures(json)
    }

    /// The search workload seeded its replica (every post and note indexed by the replica's own
    /// triggers) and measured every query; the plain queries found what the floor's SQL found.
    func expectSearchFigures(_ json: [String: Any]) throws {
        let search = try #require(json["search"] as? [String: Any])
        let posts = try #require(search["posts"] as? Int)
        let notes = try #require(search["notes"] as? Int)
        #expect(search["indexRows"] as? Int == posts + notes)
        #expect(search["floorAvailable"] as? Bool == true, "sqlite3 is installed on the build machine")
        let queries = try #require(search["queries"] as? [[String: Any]])
        #expect(queries.count >= 20)
        for query in queries {
            let label = query["query"] as? String ?? "?"
            #expect((query["p50Seconds"] as? Double ?? 0) > 0, "\(label)")
            #expect((query["maxSeconds"] as? Double ?? 0) >= (query["p95Seconds"] as? Double ?? 1), "\(label)")
            let hits = try #require(query["hits"] as? Int, "\(label)")
            #expect(hits <= 20, "\(label)")
            guard !label.contains("--") else { continue }
            // Unfiltered, ranked: one hit per matching record up to the limit, as many as the floor's rows.
            let matched = (query["notesMatched"] as? Int ?? 0) + (query["postsMatched"] as? Int ?? 0)
            #expect(matched > 0, "\(label) matches something in the generated corpus")
            #expect(hits == min(20, matched), "\(label)")
            #expect(query["floorRows"] as? Int == hits, "\(label)")
        }
    }

    /// The pull's client peak RSS is the client process's own. `wait4`'s `ru_maxrss` is not: Linux
    /// counts in it the memory the child replaced at `exec`, nkbench's, which made the figure
    /// follow nkbench's loader (173 MB on PostgreSQL, 65 MB on SQLite, for the same client).
    @Test func pullClientPeakRSSIsTheClientsOwn() throws {
        let binary = TestPaths.binaries.appendingPathComponent("nkbench")
        try #require(
            FileManager.default.isExecutableFile(atPath: binary.path),
            "build nkbench first: swift build --product nkbench")
        // Given a stand-in client: a shell, a few MB, that runs the real nkclient as its child
        // (not `exec`: the command after it keeps the shell alive) and answers with its output.
        let folder = try TemporaryFolder("nk-bench-client")
        defer { folder.remove() }
        let client = folder.url.appendingPathComponent("client.sh")
        try """
        #!/bin/sh
        '\(TestPaths.nkclient.path)' "$@"
        status=$?
        exit $status

        """.write(to: client, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: client.path)

        // When nkbench (tens of MB itself) measures the pull through it,
        let result = try runCommand(
            binary, ["--quick", "--only", "pull", "--client-binary", client.path], timeout: 300)
        try #require(result.succeeded, "\(result)")
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
        let pull = try #require((object as? [String: Any])?["initialPull"] as? [String: Any])
        #expect(pull["pulled"] as? Int == pull["records"] as? Int)

        // Then the figure is the shell's, not nkbench's.
        let peak = try #require(pull["clientPeakRSSBytes"] as? Int)
        #expect(peak > 0)
        #expect(peak < 16 << 20, "\(peak) bytes: the stand-in shell's own peak is a few MB")
    }
}
