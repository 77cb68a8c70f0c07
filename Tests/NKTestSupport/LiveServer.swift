import Foundation

/// A real `nkserver` process on an ephemeral port of 127.0.0.1, with a database in a temporary folder.
public final class LiveServer: @unchecked Sendable {
    public let folder: TemporaryFolder
    public let databasePath: String
    public private(set) var url: String = ""
    private var process: BackgroundProcess?

    /// Makes the database, imports the sample corpus, and starts serving.
    public init(importSamples: Bool = true) throws {
        folder = try TemporaryFolder("nkserver")
        databasePath = folder.path("server.sqlite")
        if importSamples {
            let result = try admin(["import"] + TestPaths.sampleCorpus.map(\.path))
            guard result.succeeded else { throw HarnessError("import failed: \(result)") }
        }
        try start()
    }

    /// Starts `nkserver serve` and waits for its `listening on` line.
    public func start(port: Int = 0) throws {
        let process = try BackgroundProcess(
            TestPaths.nkserver, ["serve", "--db", databasePath, "--host", "127.0.0.1", "--port", String(port)])
        let line = try process.firstLine()
        guard line.hasPrefix("listening on http://127.0.0.1:") else {
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

    /// Runs an admin command (`user add alice`, `import FILE`) on this server's database.
    public func admin(_ arguments: [String]) throws -> CommandResult {
        try runCommand(TestPaths.nkserver, arguments + ["--db", databasePath])
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
        folder.remove()
    }
}

/// A researcher's laptop: an `nkclient` home folder, used through the real binary.
public final class Researcher: @unchecked Sendable {
    public let name: String
    public let home: TemporaryFolder

    public init(_ name: String) throws {
        self.name = name
        home = try TemporaryFolder("nkclient-\(name)")
    }

    /// Runs `nkclient --home HOME ARGS...`.
    @discardableResult
    public func run(_ arguments: [String]) throws -> CommandResult {
        try runCommand(TestPaths.nkclient, arguments, environment: ["NKCLIENT_HOME": home.url.path])
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
        try BackgroundProcess(TestPaths.nkclient, arguments, environment: ["NKCLIENT_HOME": home.url.path])
    }

    deinit { home.remove() }
}
