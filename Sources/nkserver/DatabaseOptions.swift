import ArgumentParser
import Foundation
import NKServer

/// `--db PATH` or `--store URL` (or `NKSERVER_STORE`), shared by every subcommand.
struct DatabaseOptions: ParsableArguments {
    static let defaultPath = "./nkserver.sqlite"
    static let environmentVariable = "NKSERVER_STORE"

    @Option(
        name: .customLong("db"),
        help: ArgumentHelp("The server's SQLite database (default \(defaultPath)).", valueName: "path"))
    var path: String?

    @Option(
        name: .customLong("store"),
        help: ArgumentHelp(
            "The store instead: postgres://USER@HOST:PORT/DATABASE or sqlite:PATH. Also from \(environmentVariable).",
            valueName: "url"))
    var store: String?

    func validate() throws {
        guard path == nil || store == nil else {
            throw ValidationError("give --db or --store, not both")
        }
        if path?.isEmpty == true {
            throw ValidationError("--db needs a file path")
        }
        do {
            _ = try location()
        } catch let error as ServerError {
            throw ValidationError(error.message)
        }
    }

    /// `--db`, else `--store`, else `NKSERVER_STORE`, else `./nkserver.sqlite`.
    func location() throws -> StoreLocation {
        if let path { return .sqlite(path: path) }
        if let text = store ?? ProcessInfo.processInfo.environment[Self.environmentVariable], !text.isEmpty {
            return try StoreLocation(parsing: text)
        }
        return .sqlite(path: Self.defaultPath)
    }

    /// Opens the store (an SQLite file is created if missing), runs `body`, closes it.
    func withStore<Result: Sendable>(_ body: (any ServerStore) async throws -> Result) async throws -> Result {
        try await location().withStore(body)
    }

    /// As ``withStore(_:)``, but an SQLite file must already exist: reading a typo'd path should
    /// not create a file.
    func withExistingStore<Result: Sendable>(_ body: (any ServerStore) async throws -> Result) async throws -> Result {
        let location = try location()
        if case .sqlite(let path) = location, !FileManager.default.fileExists(atPath: path) {
            throw CommandLineError(
                "no database at '\(path)'; 'nkserver serve', 'user add' or 'import' create one", status: Failure.noInput
            )
        }
        return try await location.withStore(body)
    }
}
