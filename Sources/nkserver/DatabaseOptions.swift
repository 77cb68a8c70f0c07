import ArgumentParser
import Foundation
import NKServer

/// `--db PATH`, shared by every subcommand.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .customLong("db"), help: ArgumentHelp("The server's SQLite database.", valueName: "path"))
    var path = "./nkserver.sqlite"

    /// Opens (and creates if missing) the database.
    func open() throws -> ServerStore {
        try ServerStore(path: path)
    }

    /// Opens the database, which must already exist: reading a typo'd path should not create a file.
    func openExisting() throws -> ServerStore {
        guard FileManager.default.fileExists(atPath: path) else {
            throw CommandLineError(
                "no database at '\(path)'; 'nkserver serve', 'user add' or 'import' create one", status: Failure.noInput
            )
        }
        return try open()
    }
}
