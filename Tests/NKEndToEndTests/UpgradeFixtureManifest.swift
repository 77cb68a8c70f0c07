import Foundation
import NKTestSupport

/// `manifest.json` of an upgrade fixture: what its databases held when the binaries of `commit`
/// wrote them, as `Tests/Fixtures/make-fixtures.sh` read it from them.
struct UpgradeFixtureManifest: Decodable {
    struct User: Decodable, Hashable {
        var name: String
        var readOnly: Bool
        var revoked: Bool
    }

    struct Group: Decodable, Hashable {
        var name: String
        var members: [String]
    }

    /// A version the server holds.
    struct ServerVersion: Decodable, Hashable {
        var type: String
        var id: String
        var vector: String
        var deleted: Bool
        var editor: String?
        var visibility: String?
    }

    struct Server: Decodable {
        var users: [User]
        var groups: [Group]
        var versions: [ServerVersion]
        var latestSequence: Int
        var serverReplicaID: String
        var sqliteMigrations: [String]
        var postgresMigrations: [String]
        var postgresLatestSequence: Int
    }

    /// A version a replica holds.
    struct ReplicaVersion: Decodable, Hashable {
        var type: String
        var id: String
        var vector: String
        var deleted: Bool
        var pending: Bool

        /// The version without its pending flag, as `StoreProbe.Version.key` names a server's.
        var key: String { "\(type) \(id) \(vector) \(deleted)" }
    }

    struct Rejection: Decodable, Hashable {
        var type: String
        var id: String
        var vector: String
        var code: String
    }

    struct Replica: Decodable {
        /// The replica's folder in the fixture (`config.json`, `replica.sqlite`).
        var folder: String
        var user: String
        var replicaID: String
        var cursor: Int
        var conflicts: Int
        var searchRows: Int
        var pending: Int
        var versions: [ReplicaVersion]
        var rejected: [Rejection]
        var migrations: [String]
    }

    var commit: String
    var server: Server
    var replicas: [Replica]

    func user(_ name: String) -> User? { server.users.first { $0.name == name } }
}

/// One folder of `Tests/Fixtures`: a frozen schema generation.
struct UpgradeFixture: Sendable, CustomStringConvertible {
    var name: String

    /// Every fixture, oldest schema first (their names start with `schemaN-`).
    static let all: [UpgradeFixture] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        return names.filter {
            FileManager.default.fileExists(atPath: root.appendingPathComponent("\($0)/manifest.json").path)
        }
        .sorted { $0.localizedStandardCompare($1) == .orderedAscending }
        .map(UpgradeFixture.init(name:))
    }()

    static let root = TestPaths.repositoryRoot.appendingPathComponent("Tests/Fixtures")

    var folder: URL { Self.root.appendingPathComponent(name) }
    var description: String { name }

    func manifest() throws -> UpgradeFixtureManifest {
        try JSONDecoder().decode(
            UpgradeFixtureManifest.self, from: Data(contentsOf: folder.appendingPathComponent("manifest.json")))
    }
}

/// The `sqlite3` command-line shell, which reads the databases the way make-fixtures.sh did.
enum SQLiteShell {
    static let executable: URL? = ["/usr/bin/sqlite3", "/usr/local/bin/sqlite3"].map(URL.init(fileURLWithPath:))
        .first { FileManager.default.isExecutableFile(atPath: $0.path) }

    /// The rows of `sql` on the database at `path`, fields split at `|`.
    static func rows(_ path: String, _ sql: String, readOnly: Bool = true) throws -> [[String]] {
        guard let executable else { throw HarnessError("sqlite3 is missing (scripts/setup.sh installs it)") }
        let result = try runCommand(executable, (readOnly ? ["-readonly"] : []) + [path, sql])
        guard result.succeeded else { throw HarnessError("sqlite3 \(path) failed: \(result)") }
        return result.stdout.split(separator: "\n").map {
            $0.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        }
    }
}
