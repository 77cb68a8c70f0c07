import Foundation
import NKTestSupport
import NKTestTraits
import Testing

/// `nkserver --db / --store / NKSERVER_STORE` as an admin types them: every mistake one line and a
/// non-zero exit, and nothing created by a command that failed.
@Suite(.processes, .tags(.live)) struct StoreOptionTests {
    func nkserver(_ arguments: [String], environment: [String: String] = [:]) throws -> CommandResult {
        try runCommand(TestPaths.nkserver, arguments, environment: environment)
    }

    func expectOneLine(_ result: CommandResult, status: Int32, containing text: String) {
        #expect(result.status == status, "\(result)")
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(result.stderr)")
        #expect(lines.first?.hasPrefix("error: ") == true && result.stderr.contains(text), "\(result.stderr)")
    }

    @Test func bothDbAndStoreIsAUsageError() throws {
        let folder = try TemporaryFolder("store-options")
        defer { folder.remove() }
        let result = try nkserver(["user", "list", "--db", folder.path("a.sqlite"), "--store", "sqlite:b"])
        expectOneLine(result, status: 64, containing: "give --db or --store, not both")
        #expect(!FileManager.default.fileExists(atPath: folder.path("a.sqlite")))
    }

    @Test func aMalformedStoreFromTheOptionOrTheEnvironmentIsAUsageError() throws {
        expectOneLine(
            try nkserver(["user", "list", "--store", "postgres://nk@localhost"]), status: 64,
            containing: "no database name")
        expectOneLine(
            try nkserver(["user", "list"], environment: ["NKSERVER_STORE": "postgres:nk@h/db"]), status: 64,
            containing: "postgres://USER@HOST:PORT/DATABASE")
    }

    @Test func anUnreachablePostgreSQLIsOneLineNamingItWithoutThePassword() throws {
        // Port 1 on loopback: nothing listens there.
        let result = try nkserver(["user", "add", "alice", "--store", "postgres://nk:secret@127.0.0.1:1/db"])
        expectOneLine(
            result, status: 74, containing: "cannot open the PostgreSQL database postgres://nk@127.0.0.1:1/db")
        #expect(!result.stderr.contains("secret") && !result.stdout.contains("secret"))
    }

    @Test func migrateRefusesOneStoreForBothSidesAndAMissingSource() throws {
        let folder = try TemporaryFolder("store-options")
        defer { folder.remove() }
        let path = folder.path("team.sqlite")
        expectOneLine(
            try nkserver(["migrate", "--from", "sqlite:\(path)", "--to", path]), status: 64,
            containing: "--from and --to name the same store")
        expectOneLine(
            try nkserver(["migrate", "--from", "sqlite:\(path)", "--to", folder.path("new.sqlite")]), status: 66,
            containing: "no database at")
        #expect(!FileManager.default.fileExists(atPath: path))
    }
}
