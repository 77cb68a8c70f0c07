import ArgumentParser
import Foundation
import NKServer

/// `nkserver migrate --from sqlite:PATH --to postgres://…`: copies a whole store into an empty one.
struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Copy a whole store into a new, empty one (SQLite to PostgreSQL, or back).",
        discussion: """
            Copies users (with their token hashes: tokens keep working), replicas, groups, every version \
            with its sequence number, and the server's replica id, in one transaction: replicas keep \
            syncing against the new store without starting over. Prints the counts and a SHA-256 \
            checksum of the source and of the destination as read back, and fails unless they match. \
            Stop the servers on the source first: what they accept during the copy is not copied.
            """
    )

    @Option(help: ArgumentHelp("The store to copy: sqlite:PATH (or a path) or postgres://…", valueName: "store"))
    var from: String

    @Option(
        help: ArgumentHelp(
            "The empty store to fill: postgres://USER@HOST:PORT/DATABASE or sqlite:PATH", valueName: "store"))
    var to: String

    func validate() throws {
        let (source, destination) = try locations()
        guard source != destination else {
            throw ValidationError("--from and --to name the same store")
        }
    }

    func run() async throws {
        let (source, destination) = try locations()
        if case .sqlite(let path) = source, !FileManager.default.fileExists(atPath: path) {
            throw CommandLineError("no database at '\(path)'", status: Failure.noInput)
        }
        let contents = try await source.withStore { try await $0.exportContents() }
        print("read    \(source): \(contents.counts) sha256=\(contents.checksum)")
        try await destination.withStore { try await $0.importContents(contents) }
        // Read back through a newly opened store, as a server would see it.
        let copied = try await destination.withStore { try await $0.exportContents() }
        print("written \(destination): \(copied.counts) sha256=\(copied.checksum)")
        guard copied.checksum == contents.checksum, copied.counts == contents.counts else {
            throw CommandLineError(
                "the destination does not hold what was read from the source (counts or checksum differ)",
                status: Failure.software)
        }
        print("migrated: counts and checksums match")
    }

    private func locations() throws -> (StoreLocation, StoreLocation) {
        do {
            return (try StoreLocation(parsing: from), try StoreLocation(parsing: to))
        } catch let error as ServerError {
            throw ValidationError(error.message)
        }
    }
}
