import Foundation

/// The readable table printed on stderr beside the JSON.
enum Report {
    static func table(_ results: [String: Any]) -> String {
        var lines = [
            "", "store: \(results["store"] ?? "sqlite"), servers for many researchers: \(results["servers"] ?? 1)",
            "workload              figure                                   value        vs SQLite",
        ]
        func row(_ workload: String, _ figure: String, _ value: String, _ ratio: Any? = nil) {
            let ratioText = (ratio as? Double).map { String(format: "%.2f×", $0) } ?? ""
            lines.append(
                workload.padding(toLength: 22, withPad: " ", startingAt: 0)
                    + figure.padding(toLength: 41, withPad: " ", startingAt: 0)
                    + value.padding(toLength: 13, withPad: " ", startingAt: 0) + ratioText)
        }
        func number(_ value: Any?, _ format: String = "%.1f") -> String {
            if let value = value as? Double { return String(format: format, value) }
            if let value = value as? Int { return String(value) }
            return "-"
        }
        if let push = results["push"] as? [String: Any] {
            row(
                "push", "records/s (\(number(push["records"])) records, whole sync)",
                number(push["recordsPerSecond"], "%.0f"), push["ratioToSQLite"])
            row(
                "push", "records/s, push phase only", number(push["pushPhaseRecordsPerSecond"], "%.0f"),
                push["pushPhaseRatioToSQLite"])
            row("push", "server CPU s per 10k records", number(push["serverCPUSecondsPer10k"], "%.2f"))
            if let postgres = push["postgresCPUSecondsPer10k"] {
                row("push", "PostgreSQL CPU s per 10k records", number(postgres, "%.2f"))
            }
        }
        if let pull = results["initialPull"] as? [String: Any] {
            row(
                "initial pull", "records/s (\(number(pull["records"])) records)",
                number(pull["recordsPerSecond"], "%.0f"), pull["ratioToSQLite"])
            row("initial pull", "client peak RSS MB", number(pull["clientPeakRSSMB"]))
        }
        for delta in results["delta"] as? [[String: Any]] ?? [] {
            row(
                "delta", "ms for \(number(delta["changed"])) changes, \(number(delta["annotations"])) held",
                number((delta["seconds"] as? Double).map { $0 * 1000 }, "%.1f"), delta["ratioToSQLite"])
        }
        if let ratio = results["deltaLargestToSmallest"] { row("delta", "largest / smallest", number(ratio, "%.2f")) }
        if let noop = results["noop"] as? [String: Any] {
            row("no-op", "ms per sync (median)", number((noop["seconds"] as? Double).map { $0 * 1000 }, "%.2f"))
            row("no-op", "requests per sync", number(noop["requests"]))
        }
        if let many = results["manyResearchers"] as? [String: Any] {
            row("many researchers", "syncs/s (\(number(many["replicas"])) replicas)", number(many["syncsPerSecond"]))
            row(
                "many researchers", "p50 / p99 ms",
                number((many["p50Seconds"] as? Double).map { $0 * 1000 }) + " / "
                    + number((many["p99Seconds"] as? Double).map { $0 * 1000 }))
            row("many researchers", "server peak RSS MB", number(many["serverPeakRSSMB"]))
            let cpu = (many["serverCPUSeconds"] as? [Double] ?? []).map { number($0, "%.2f") }
            row("many researchers", "server CPU s, each instance", cpu.joined(separator: " + "))
            if let postgres = many["postgresCPUSeconds"] {
                row("many researchers", "PostgreSQL CPU s", number(postgres, "%.2f"))
            }
            row("many researchers", "failures / converged", "\(number(many["failures"])) / \(many["converged"] ?? "-")")
        }
        if let search = results["search"] as? [String: Any] {
            row(
                "search", "\(number(search["posts"])) posts, \(number(search["notes"])) notes: seeded in s",
                number(search["seedSeconds"], "%.1f"))
            row("search", "process start (nkclient --help), p50 ms", milliseconds(search["processStartP50Seconds"]))
            for query in search["queries"] as? [[String: Any]] ?? [] { lines.append("search  " + searchLine(query)) }
            lines.append(
                "search  all queries: p50 / p95 / max ms "
                    + ["p50Seconds", "p95Seconds", "maxSeconds"].map { milliseconds(search[$0]) }.joined(
                        separator: " / ")
                    + "; CPU p50 / p95 ms " + milliseconds(search["cpuP50Seconds"]) + " / "
                    + milliseconds(search["cpuP95Seconds"]) + " (process start: "
                    + milliseconds(search["processStartCPUP50Seconds"]) + ")")
        }
        if let targets = results["targets"] as? [String: Any] {
            lines.append("")
            for (name, met) in targets.sorted(by: { $0.key < $1.key }) { lines.append("target \(name): \(met)") }
        }
        return lines.joined(separator: "\n")
    }

    /// One query of the search workload on one line: its times, the floor's, and what it found.
    static func searchLine(_ query: [String: Any]) -> String {
        let label = (query["query"] as? String ?? "").padding(toLength: 50, withPad: " ", startingAt: 0)
        var line = label + " p50 / p95 / max ms "
        line += ["p50Seconds", "p95Seconds", "maxSeconds"].map { milliseconds(query[$0]) }.joined(separator: " / ")
        line += "   CPU p50 " + milliseconds(query["cpuP50Seconds"])
        if query["floorP50Seconds"] != nil {
            line +=
                "   floor p50 " + milliseconds(query["floorP50Seconds"]) + " (CPU "
                + milliseconds(query["floorCPUP50Seconds"]) + ")"
        }
        line +=
            "   \(query["hits"] ?? 0) hits; matched \(query["notesMatched"] ?? 0) notes, \(query["postsMatched"] ?? 0) posts"
        return line
    }

    static func milliseconds(_ seconds: Any?) -> String {
        (seconds as? Double).map { String(format: "%.1f", $0 * 1000) } ?? "-"
    }
}
