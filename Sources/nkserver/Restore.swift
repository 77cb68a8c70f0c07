import ArgumentParser
import Foundation
import NKServer

/// `nkserver restore --from FILE --db PATH`: a checked backup into an empty location.
struct Restore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Put a backup made by 'nkserver backup' in place as a new SQLite store.",
        discussion: """
            Checks the backup as 'backup' does, copies it beside the destination and renames it into place \
            in one step. The destination must not hold data: restore into a new path (or stop the server \
            and move the damaged database aside first), then start 'nkserver serve' on it, for example:

              nkserver restore --from /backups/nk-2026-12-07.sqlite --db /srv/nk/new.sqlite
              nkserver serve --db /srv/nk/new.sqlite

            What the server accepted after the backup was taken is not in it. The restored store numbers \
            its next changes well past the backup's (by \(SQLiteBackup.restoredSequenceGap)), so replicas \
            that pulled later changes miss nothing it receives; each replica that had pushed changes the \
            backup lacks notices at its next sync and sends them again.
            """
    )

    @Option(help: ArgumentHelp("The backup file to restore.", valueName: "file"))
    var from: String

    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        guard !from.isEmpty else { throw ValidationError("--from needs a file path") }
    }

    func run() async throws {
        let path = try database.sqlitePath(for: "restore", postgresAdvice: "pg_restore")
        let summary = try SQLiteBackup.restore(from: from, to: path)
        print(
            "restored \(from) to \(path): \(summary); next change after \(summary.lastSequence + SQLiteBackup.restoredSequenceGap)"
        )
    }
}
