import ArgumentParser
import Foundation
import NKServer

/// `nkserver backup --to FILE`: a checked copy of the SQLite store, also while `serve` runs.
struct Backup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Copy the SQLite store to a backup file, also while the server runs.",
        discussion: """
            The copy is a snapshot: everything the server had committed when the backup began, and nothing \
            after (SQLite's online backup API; the server keeps serving meanwhile). It is written to a \
            temporary file beside FILE, checked (SQLite's integrity check, the schema, the server's id), and \
            only then renamed to FILE, so FILE is never half written. Prints the counts it checked. FILE is \
            one self-contained SQLite file: copy it off the machine as it is. Put it back with \
            'nkserver restore --from FILE --db NEW-PATH'. For example, nightly (from cron or a systemd timer):

              nkserver backup --db /srv/nk/nk.sqlite --to /backups/nk-2026-12-07.sqlite

            A PostgreSQL store is backed up with PostgreSQL's own tools (pg_dump -Fc, pg_restore): see \
            README.md, "Backups".
            """
    )

    @Option(help: ArgumentHelp("The backup file to write; it must not exist yet (see --force).", valueName: "file"))
    var to: String

    @Flag(help: "Replace FILE if it exists (still only once the new copy has passed its check).")
    var force = false

    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        guard !to.isEmpty else { throw ValidationError("--to needs a file path") }
    }

    func run() async throws {
        let path = try database.sqlitePath(for: "backup", postgresAdvice: "pg_dump -Fc")
        let summary = try SQLiteBackup.backup(from: path, to: to, replacing: force)
        print("backed up \(path) to \(to): \(summary)")
    }
}

extension DatabaseOptions {
    /// The SQLite file of the store, for commands that copy files; a PostgreSQL store is refused in
    /// one line that names PostgreSQL's own tool.
    func sqlitePath(for command: String, postgresAdvice: String) throws -> String {
        switch try location() {
        case .sqlite(let path): return path
        case .postgres:
            throw CommandLineError(
                "'nkserver \(command)' copies SQLite stores; for PostgreSQL use \(postgresAdvice) "
                    + "(README.md, \"Backups\")",
                status: Failure.usage)
        }
    }
}
