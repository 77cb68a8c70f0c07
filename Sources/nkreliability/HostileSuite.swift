import ArgumentParser
import Foundation
import GRDB
import NKClient
import NKProtocol
import NKTestSupport

/// Suite 6: hostile requests to every endpoint and hostile files to the importer.
struct HostileSuite: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hostile",
        abstract: "Malformed, huge, deep and sneaky input to every endpoint and to the importer.")

    @OptionGroup var options: SuiteOptions

    @Option(help: "Times the whole request set is sent (default 5; 1 with --quick).")
    var rounds: Int?

    @Option(help: "Serve from this empty store instead of a new SQLite file (postgres://USER@HOST:PORT/DB).")
    var store: String?

    func run() throws {
        let rounds = self.rounds ?? (options.quick ? 1 : 5)
        let start = Date()
        let folder = try TemporaryFolder("nk-hostile")
        defer { folder.remove() }
        let database = store.map { ["--store", $0] } ?? ["--db", folder.path("server.sqlite")]
        func admin(_ arguments: [String]) throws -> CommandResult {
            try runCommand(TestPaths.nkserver, arguments + database)
        }
        guard try admin(["import"] + TestPaths.sampleCorpus.map(\.path)).succeeded else {
            throw HarnessError("cannot import the samples")
        }
        let token = try admin(["user", "add", "mallory"]).output
        let server = try BackgroundProcess(
            TestPaths.nkserver, ["serve"] + database + ["--port", "0", "--rate-limit", "0"])
        defer { server.stop(signal: SIGKILL) }
        let line = try server.firstLine()
        guard let port = Int(line.split(separator: ":").last ?? "") else { throw HarnessError("no port in \(line)") }
        let url = "http://127.0.0.1:\(port)"

        // A valid annotation version, made by a real replica, to mutate.
        let researcher = try Researcher("mallory")
        try researcher.ok("init", "--server", url, "--token", token)
        try researcher.ok("sync")
        let quote = try uniqueQuotes(researcher)[0]
        let replica = try Replica.open(home: ReplicaHome(url: researcher.home.url))
        let annotationID = try replica.annotate(post: quote.post, quote: quote.quote, note: "hostile base").rawValue
        let replicaID = replica.config.replica.rawValue
        let body = try DatabaseProbe.open(researcher.databasePath).read { db in
            try String.fetchOne(db, sql: "SELECT body FROM versions WHERE recordId = ?", arguments: [annotationID])
        }
        guard let body, let annotation = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
        else {
            throw HarnessError("no annotation body")
        }
        let attack = Attack(
            port: port, token: token, replicaID: replicaID, annotation: annotation, postID: quote.post, pid: server.pid)

        for _ in 0..<rounds { attack.sendAll() }
        let (importerCrashes, importerFiles) = try attackImporter(database: database, folder: folder)
        let alive = server.isRunning && attack.healthy()

        var figures = Figures("hostile")
        figures.add("requests", attack.requests)
        figures.add("server_errors", attack.serverErrors)
        figures.add("no_answer", attack.noAnswer)
        figures.add("unclear_rejections", attack.unclear)
        figures.add("http_parse_rejections", attack.parseRejections)
        figures.add("wrong_status", attack.wrongStatus)
        figures.add("nul_truncations", attack.truncations)
        figures.add("crashes", (alive ? 0 : 1) + attack.crashes + importerCrashes)
        figures.add("importer_files", importerFiles)
        figures.add("peak_rss_mib", attack.peakKiB / 1024)
        figures.add("seconds", Int(Date().timeIntervalSince(start)))
        var missed: [String] = []
        if attack.serverErrors > 0 { missed.append("5xx answers") }
        if !alive || attack.crashes + importerCrashes > 0 { missed.append("crashes") }
        if attack.unclear > 0 { missed.append("rejections without a JSON error code") }
        if attack.unclear > 0 && attack.wrongStatus == 0 {
            missed.append(attack.wrongCases.sorted().joined(separator: ","))
        }
        if attack.wrongStatus > 0 {
            missed.append("wrong statuses: \(attack.wrongCases.sorted().joined(separator: ","))")
        }
        if attack.truncations > 0 { missed.append("text truncated at NUL") }
        if attack.noAnswer > 0 {
            missed.append("requests without an answer: \(attack.silentCases.sorted().joined(separator: ","))")
        }
        if attack.peakKiB > 768 * 1024 { missed.append("peak RSS over 768 MiB") }
        try figures.finish(missed: missed)
    }

    /// Hostile dump files through `nkserver import` (on the served database); returns the crashes.
    private func attackImporter(database: [String], folder: TemporaryFolder) throws -> (crashes: Int, files: Int) {
        let valid = try String(contentsOf: TestPaths.sampleCorpus[0], encoding: .utf8)
        var files: [Data] = [
            Data([0xFF, 0xFE, 0x00, 0xC3, 0x28, 0x0A]) + Data(valid.utf8),
            Data(valid.replacingOccurrences(of: "Dandong", with: "Dan\u{0}dong").utf8),
            Data(("Category: x\n\n" + String(repeating: "a", count: 20_000_000) + "\n").utf8),
            Data(String(repeating: "Category: x\n\n", count: 100_000).utf8),
            Data((0..<1_000_000).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 7) }),
            Data(
                valid.replacingOccurrences(of: "Dandong traders", with: "../../etc/passwd'; DROP TABLE versions; --")
                    .utf8),
            Data(),
        ]
        files.append(Data(String(repeating: "\n", count: 1_000_000).utf8))
        var crashes = 0
        for (index, data) in files.enumerated() {
            let path = folder.path("hostile-\(index).txt")
            try data.write(to: URL(fileURLWithPath: path))
            let started = Date()
            let result = try runCommand(TestPaths.nkserver, ["import", path] + database, timeout: 300)
            if ProcessInfo.processInfo.environment["NKRELIABILITY_VERBOSE"] != nil {
                FileHandle.standardError.write(
                    Data("import \(index): \(result.status) \(milliseconds(since: started)) ms\n".utf8))
            }
            let crashed = ![0, 65, 66].contains(result.status) || result.stderr.contains("Fatal error")
            if crashed {
                crashes += 1
                FileHandle.standardError.write(
                    Data("importer file \(index): \(result.status) \(result.stderr.prefix(300))\n".utf8))
            }
        }
        return (crashes, files.count)
    }
}
