import ArgumentParser
import Foundation
import NKTestSupport

/// Suite 5: the same seeded scenarios with every clock right and with wall clocks hours off
/// (libfaketime); ordering never depends on a wall clock, so the outcomes must be equal.
struct ClockSkewSuite: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clock-skew",
        abstract: "Replay seeded scenarios with wall clocks hours off (libfaketime); the outcomes must not change.")

    @OptionGroup var options: SuiteOptions

    @Option(help: "Scenarios (default 10; 1 with --quick).")
    var scenarios: Int?

    @Option(help: "Steps per scenario (default 40; 30 with --quick).")
    var steps: Int?

    @Option(help: "Client clock offsets in libfaketime's FAKETIME form, comma-separated.")
    var skews = "-5h,+7h,-26h,+49h"

    @Option(help: "The server's clock offset in the settings that move it (the jumping one uses its opposite).")
    var serverSkew = "+11h"

    func validate() throws {
        let offsets = skews.split(separator: ",")
        guard !offsets.isEmpty, offsets.allSatisfy({ $0.first == "+" || $0.first == "-" }) else {
            throw ValidationError("--skews takes offsets such as -5h,+7h")
        }
        guard serverSkew.first == "+" || serverSkew.first == "-" else {
            throw ValidationError("--server-skew takes an offset such as +11h")
        }
    }

    func run() throws {
        let scenarioCount = scenarios ?? (options.quick ? 1 : 10)
        let stepCount = steps ?? (options.quick ? 30 : 40)
        let offsets = skews.split(separator: ",").map(String.init)
        let opposite = (serverSkew.first == "+" ? "-" : "+") + serverSkew.dropFirst()
        let start = Date()
        // Without libfaketime this suite must fail, not pass: find it first.
        let faketime = (try PreloadLibraries.faketime(), try FaketimeSharedMemory())
        let settings = [
            ClockSetting(name: "real", server: nil, clients: .real),
            ClockSetting(name: "clients", server: nil, clients: .fixed(shift: 0)),
            ClockSetting(name: "clients+server", server: serverSkew, clients: .fixed(shift: 1)),
            ClockSetting(name: "jumping+server", server: opposite, clients: .jumping),
        ]

        var compared = 0
        var different: [String] = []
        var skewChecks = 0
        var mismatches: [String] = []
        var baseline = (conflicts: 0, failed: 0, counts: [String: Int]())
        for scenario in 0..<scenarioCount {
            var reference: [String]?
            for setting in settings {
                // The same scenario seed in every setting; the jumping clock has a seed of its own.
                var rng = SeededRandom(seed: options.seed &+ UInt64(scenario) &* 7919)
                let play = try SkewScenario(
                    clock: setting, offsets: offsets, faketime: faketime,
                    clockSeed: options.seed &+ UInt64(scenario) &+ 104_729)
                let outcome = try play.play(steps: stepCount, rng: &rng)
                skewChecks += play.skewChecks
                mismatches += play.skewMismatches.map { "\(setting.name): \($0)" }
                guard let reference else {
                    reference = outcome
                    baseline.conflicts += play.conflicts
                    baseline.failed += play.failedSteps
                    baseline.counts.merge(play.counts) { $0 + $1 }
                    continue
                }
                compared += 1
                if outcome != reference {
                    different.append(
                        "scenario \(scenario) \(setting.name): " + Self.firstDifference(reference, outcome))
                }
            }
        }

        var figures = Figures("clock-skew")
        figures.add("scenarios", scenarioCount)
        figures.add("steps", stepCount)
        figures.add("settings", settings.map(\.name).joined(separator: ","))
        figures.add("skews", offsets.joined(separator: ","))
        figures.add("server_skews", "\(serverSkew),\(opposite)")
        figures.add("outcomes_compared", compared)
        figures.add("different_outcomes", different.count)
        figures.add("conflicts", baseline.conflicts)
        for kind in ["annotate", "edit", "delete", "resolve"] {
            figures.add(kind + "s", baseline.counts[kind, default: 0])
        }
        figures.add("failed_steps", baseline.failed)
        figures.add("skew_checks", skewChecks)
        figures.add("skew_applied", mismatches.isEmpty && skewChecks > 0 ? "yes" : "no")
        figures.add("seconds", Int(Date().timeIntervalSince(start)))
        var missed: [String] = []
        if !mismatches.isEmpty {
            missed.append("clocks not as set (\(mismatches.count)): \(mismatches.prefix(3).joined(separator: "; "))")
        }
        if !different.isEmpty { missed.append("outcomes differ: \(different.prefix(3).joined(separator: "; "))") }
        if compared != scenarioCount * (settings.count - 1) { missed.append("not every setting was compared") }
        try figures.finish(missed: missed)
    }

    /// The first line where two outcomes part.
    static func firstDifference(_ expected: [String], _ actual: [String]) -> String {
        for (index, line) in expected.enumerated() where index >= actual.count || actual[index] != line {
            return "expected \"\(line)\", got \"\(index < actual.count ? actual[index] : "nothing")\""
        }
        return "\(actual.count - expected.count) extra lines, first \"\(actual[expected.count])\""
    }
}
