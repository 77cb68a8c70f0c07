import Foundation
import NKTestSupport

/// A real `nkserver` started with an extra environment (libfaketime or libfiu preloaded), on a database
/// of its own with the sample corpus.
final class PreloadedServer {
    let folder: TemporaryFolder
    let databasePath: String
    private(set) var url = ""
    private(set) var process: BackgroundProcess?

    init() throws {
        folder = try TemporaryFolder("nk-preloaded")
        databasePath = folder.path("server.sqlite")
        let result = try admin(["import"] + TestPaths.sampleCorpus.map(\.path))
        guard result.succeeded else { throw HarnessError("import failed: \(result)") }
    }

    /// A start that did not reach `listening on`.
    struct StartFailure {
        var status: Int32
        /// Ended by a signal, or hung.
        var crashed: Bool
        var stderr: String
    }

    var port: Int { Int(url.split(separator: ":").last ?? "") ?? 0 }
    var isRunning: Bool { process?.isRunning ?? false }

    /// Starts `nkserver serve` with `environment` added to its own and waits for its `listening on`
    /// line. Returns nil when it started; else how it ended and what it printed.
    @discardableResult
    func start(port: Int = 0, environment: [String: String] = [:]) throws -> StartFailure? {
        let process = try BackgroundProcess(
            TestPaths.nkserver, ["serve", "--db", databasePath, "--port", String(port), "--rate-limit", "0"],
            environment: environment.merging(["SWIFT_BACKTRACE": "enable=no"]) { $1 })
        guard let line = try? process.firstLine(timeout: 30), line.hasPrefix("listening on http://127.0.0.1:") else {
            // Its stdout closed as it ended: give it a moment to be reaped before calling it hung.
            let deadline = Date().addingTimeInterval(5)
            while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
            let hung = process.isRunning
            let errors = process.stderrText()
            let status = process.stop(signal: SIGKILL)
            if hung { return StartFailure(status: status, crashed: true, stderr: "hung without listening: " + errors) }
            return StartFailure(status: status, crashed: process.end?.isSignal ?? false, stderr: errors)
        }
        url = String(line.dropFirst("listening on ".count))
        self.process = process
        return nil
    }

    /// Stops the server (SIGTERM: a graceful shutdown) and returns its exit status and stderr.
    @discardableResult
    func stop(signal: Int32 = SIGTERM) -> (status: Int32, signalled: Bool, stderr: String) {
        guard let process else { return (0, false, "") }
        let errors = process.stderrText()
        let status = process.stop(signal: signal)
        self.process = nil
        return (status, process.end?.isSignal ?? false, errors)
    }

    func admin(_ arguments: [String]) throws -> CommandResult {
        try runCommand(TestPaths.nkserver, arguments + ["--db", databasePath])
    }

    func addUser(_ name: String) throws -> String {
        let result = try admin(["user", "add", name])
        guard result.succeeded, !result.output.isEmpty else { throw HarnessError("user add \(name) failed: \(result)") }
        return result.output
    }

    deinit {
        process?.stop(signal: SIGKILL)
        folder.remove()
    }
}
