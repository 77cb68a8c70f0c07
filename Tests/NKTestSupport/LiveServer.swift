import Foundation

/// The store a live server runs on: an SQLite file in its temporary folder, or a new database on
/// the tests' PostgreSQL server (``TestPostgres``), dropped when the server goes away.
public enum LiveStore: String, Sendable, CaseIterable, CustomStringConvertible {
    case sqlite
    case postgres

    /// SQLite, and PostgreSQL when the tests have one.
    public static var available: [LiveStore] { TestPostgres.isAvailable ? [.sqlite, .postgres] : [.sqlite] }

    public var description: String { rawValue }
}

/// A real `nkserver` process on an ephemeral port of 127.0.0.1, with a database in a temporary folder
/// (or on the tests' PostgreSQL server).
public final class LiveServer: @unchecked Sendable {
    public let folder: TemporaryFolder
    /// The SQLite file (for `.sqlite`).
    public let databasePath: String
    /// The PostgreSQL database's URL (for `.postgres`).
    public let postgresURL: String?
    /// Whether this server made its PostgreSQL database (and drops it at the end).
    private let ownsDatabase: Bool
    public private(set) var url: String = ""
    private var process: BackgroundProcess?
    /// The `nkserver` binary this server runs (another build's, for a mixed-version test).
    public let nkserver: URL
    /// Added to `nkserver serve` (`--tls-cert`, `--tls-key`).
    public var serveArguments: [String] = []

    /// `--db PATH` or `--store URL`: how every nkserver command names this server's store.
    public var storeArguments: [String] {
        if let postgresURL { return ["--store", postgresURL] }
        return ["--db", databasePath]
    }

    /// Makes the database, imports the sample corpus, and starts serving.
    public init(
        importSamples: Bool = true, store: LiveStore = .sqlite, nkserver: URL = TestPaths.nkserver,
        serveArguments: [String] = []
    ) throws {
        self.nkserver = nkserver
        self.serveArguments = serveArguments
        folder = try TemporaryFolder("nkserver")
        databasePath = folder.path("server.sqlite")
        postgresURL = store == .postgres ? try TestPostgres.createDatabase() : nil
        ownsDatabase = true
        if importSamples {
            let result = try admin(["import"] + TestPaths.sampleCorpus.map(\.path))
            guard result.succeeded else { throw HarnessError("import failed: \(result)") }
        }
        try start()
    }

    /// Another `nkserver` process on the store of `other` (a second instance on one PostgreSQL
    /// database), started at once. The database stays `other`'s.
    public init(joining other: LiveServer) throws {
        nkserver = other.nkserver
        folder = try TemporaryFolder("nkserver")
        databasePath = other.databasePath
        postgresURL = other.postgresURL
        ownsDatabase = false
        try start()
    }

    /// A server on the PostgreSQL database at `postgresURL`, made and filled by someone else (by
    /// `nkserver migrate`, say), not started: call ``start(port:)``. Drops the database at the end.
    public init(postgresURL: String) throws {
        nkserver = TestPaths.nkserver
        folder = try TemporaryFolder("nkserver")
        databasePath = folder.path("unused.sqlite")
        self.postgresURL = postgresURL
        ownsDatabase = true
    }

    /// A server on the SQLite file `prepare` writes at ``databasePath`` (`nkserver restore`, say),
    /// not started: call ``start(port:)``.
    public init(preparing prepare: (_ databasePath: String) throws -> Void) throws {
        nkserver = TestPaths.nkserver
        folder = try TemporaryFolder("nkserver")
        databasePath = folder.path("server.sqlite")
        postgresURL = nil
        ownsDatabase = true
        try prepare(databasePath)
    }

    /// Starts `nkserver serve` and waits for its `listening on` line.
    public func start(port: Int = 0) throws {
        let process = try BackgroundProcess(
            nkserver, ["serve"] + storeArguments + ["--host", "127.0.0.1", "--port", String(port)] + serveArguments)
        let line = try process.firstLine()
        guard line.hasPrefix("listening on http://127.0.0.1:") || line.hasPrefix("listening on https://127.0.0.1:")
        else {
            process.stop(signal: SIGKILL)
            throw HarnessError("unexpected first line from nkserver: \(line)")
        }
        url = String(line.dropFirst("listening on ".count))
        self.process = process
    }

    /// The port the server listens on.
    public var port: Int { Int(url.split(separator: ":").last ?? "") ?? 0 }

    /// Stops the server with `signal` (SIGTERM: graceful; SIGKILL: a crash).
    @discardableResult
    public func stop(signal: Int32 = SIGTERM) -> Int32 {
        defer { process = nil }
        return process?.stop(signal: signal) ?? 0
    }

    /// Sends `signal` to the running server and returns at once (SIGHUP: reload the certificate).
    public func send(_ signal: Int32) {
        process?.send(signal)
    }

    /// What the server has written on stderr so far (its log).
    public func log() -> String {
        process?.stderrText() ?? ""
    }

    /// Runs an admin command (`user add alice`, `import FILE`) on this server's database.
    public func admin(_ arguments: [String]) throws -> CommandResult {
        try runCommand(nkserver, arguments + storeArguments)
    }

    /// Creates a researcher and returns their token.
    public func addUser(_ name: String) throws -> String {
        let result = try admin(["user", "add", name])
        guard result.succeeded, !result.output.isEmpty, !result.output.contains("\n") else {
            throw HarnessError("user add \(name) failed: \(result)")
        }
        return result.output
    }

    deinit {
        process?.stop(signal: SIGKILL)
        if let postgresURL, ownsDatabase { TestPostgres.dropDatabase(postgresURL) }
        folder.remove()
    }
}

/// A researcher's laptop: an `nkclient` home folder, used through the real binary.
public final class Researcher: @unchecked Sendable {
    public let name: String
    public let home: TemporaryFolder
    /// The `nkclient` binary this researcher runs (another build's, for a mixed-version test).
    public let nkclient: URL

    public init(_ name: String, nkclient: URL = TestPaths.nkclient) throws {
        self.name = name
        self.nkclient = nkclient
        home = try TemporaryFolder("nkclient-\(name)")
    }

    /// Runs `nkclient --home HOME ARGS...`.
    @discardableResult
    public func run(_ arguments: [String]) throws -> CommandResult {
        try runCommand(nkclient, arguments, environment: ["NKCLIENT_HOME": home.url.path])
    }

    /// Runs a command that must succeed and returns its stdout.
    @discardableResult
    public func ok(_ arguments: String..., file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let result = try run(arguments)
        guard result.succeeded else {
            throw HarnessError("\(name): nkclient \(arguments.joined(separator: " ")) failed: \(result)")
        }
        return result.output
    }

    /// Runs a command with `--json` and decodes its stdout.
    public func json<T: Decodable>(_ type: T.Type, _ arguments: String...) throws -> T {
        let result = try run(arguments + ["--json"])
        guard result.succeeded else {
            throw HarnessError("\(name): nkclient \(arguments.joined(separator: " ")) --json failed: \(result)")
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(result.stdout.utf8))
        } catch {
            throw HarnessError("\(name): cannot decode \(T.self) from: \(result.stdout) (\(error))")
        }
    }

    /// Starts `nkclient ARGS...` in the background (to kill it mid-way).
    public func start(_ arguments: [String]) throws -> BackgroundProcess {
        try BackgroundProcess(nkclient, arguments, environment: ["NKCLIENT_HOME": home.url.path])
    }

    deinit { home.remove() }
}
