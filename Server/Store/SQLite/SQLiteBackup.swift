import Foundation
import GRDB

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `nkserver backup` and `restore`: consistent copies of an SQLite store, checked before they are
/// trusted, and put in place only whole (docs/DESIGN.md, "Backups").
///
/// Every copy goes through SQLite's online backup API into a temporary file beside its destination,
/// which is checked (`PRAGMA integrity_check`, the migrations, the server's id) and then renamed or
/// linked into place: a reader of the destination sees the old file or the whole new one, never part
/// of one, and a failure leaves nothing but a removed temporary file.
public enum SQLiteBackup {
    /// How far a restore moves the change sequence past the backup's last number. A replica that
    /// pulled changes the lost server numbered after the backup keeps a cursor among those numbers;
    /// the restored server numbers its next changes after them, so such a cursor never skips a
    /// change the restored server makes (a cursor further ahead is refused `invalid_cursor`, which
    /// the client handles).
    public static let restoredSequenceGap: Int64 = 1_000_000

    /// Copies the store at `source` (which a running server may be writing) to `destination`.
    ///
    /// - Parameter replacing: whether an existing `destination` may be replaced.
    /// - Throws: ``ServerError`` `destination_exists`, `invalid_backup` (the copy failed its check;
    ///   nothing was written), or `database`.
    public static func backup(from source: String, to destination: String, replacing: Bool) throws
        -> BackupSummary
    {
        guard FileManager.default.fileExists(atPath: source) else {
            throw ServerError(.unreadableFile, "no database at '\(source)'")
        }
        if !replacing, FileManager.default.fileExists(atPath: destination) {
            throw ServerError(
                .destinationExists, "'\(destination)' already exists; name a new file, or give --force to replace it")
        }
        return try withTemporaryCopy(beside: destination) { temporary in
            var configuration = Configuration()
            configuration.busyMode = .timeout(10)
            // One step: the copy is one read transaction, a snapshot of what was committed when it
            // began. The connection only reads; it is not read-only because SQLite cannot open a WAL
            // database read-only when no server has it open (no -shm file).
            try copy(from: DatabaseQueue(path: source, configuration: configuration), to: temporary)
            let summary = try check(at: temporary)
            try place(temporary, at: destination, replacing: replacing)
            return summary
        }
    }

    /// Fills an empty location with a checked copy of the backup at `backup`, its change sequence
    /// moved on by ``restoredSequenceGap``.
    ///
    /// - Throws: ``ServerError`` `destination_exists` when `destination` holds data (or is not a
    ///   database), `invalid_backup`, `unreadable_file` or `database`.
    public static func restore(from backup: String, to destination: String) throws -> BackupSummary {
        guard FileManager.default.fileExists(atPath: backup) else {
            throw ServerError(.unreadableFile, "no backup file at '\(backup)'")
        }
        try refuseUnlessEmpty(destination)
        return try withTemporaryCopy(beside: destination) { temporary in
            try copy(from: DatabaseQueue(path: backup), to: temporary)
            let summary = try check(at: temporary)
            try wrap(invalid: false) {
                let queue = try DatabaseQueue(path: temporary)
                try queue.write { db in
                    // `sqlite_sequence` has no key: one row, written whole, whether or not one was there.
                    let last = try SQLiteStore.latestSequence(db)
                    try db.execute(sql: "DELETE FROM sqlite_sequence WHERE name = 'versions'")
                    try db.execute(
                        sql: "INSERT INTO sqlite_sequence (name, seq) VALUES ('versions', ?)",
                        arguments: [last + restoredSequenceGap])
                }
                try queue.close()
            }
            try removeEmptyDatabase(destination)
            try place(temporary, at: destination, replacing: false)
            return summary
        }
    }

    /// Checks the database at `path` as a backup: every page sound, written by this or an older
    /// nkserver, with the server's id; returns its counts.
    ///
    /// - Throws: ``ServerError`` `invalid_backup`.
    public static func check(at path: String) throws -> BackupSummary {
        var configuration = Configuration()
        configuration.readonly = true
        return try wrap(invalid: true) {
            try DatabaseQueue(path: path, configuration: configuration).read { db in
                let problems = try String.fetchAll(db, sql: "PRAGMA integrity_check")
                guard problems == ["ok"] else {
                    throw ServerError(
                        .invalidBackup,
                        "the backup fails SQLite's integrity check (\(problems.prefix(3).joined(separator: "; ")))")
                }
                let migrator = SQLiteStore.migrator
                guard try db.tableExists("grdb_migrations"), try db.tableExists("meta") else {
                    throw ServerError(.invalidBackup, "'\(path)' is an SQLite database but not an nkserver store")
                }
                let applied = try migrator.appliedIdentifiers(db)
                if let unknown = applied.subtracting(migrator.migrations).sorted().first {
                    throw ServerError(
                        .invalidBackup,
                        "the backup was written by a newer nkserver (migration '\(unknown)'); restore it with that one")
                }
                guard applied.contains("v1"),
                    try MetaRecord.fetchOne(db, key: MetaRecord.serverReplicaIDKey) != nil
                else {
                    throw ServerError(.invalidBackup, "'\(path)' is an SQLite database but not an nkserver store")
                }
                let count = { (table: String) in
                    try db.tableExists(table) ? try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table)") ?? 0 : 0
                }
                return BackupSummary(
                    schema: migrator.migrations.last { applied.contains($0) } ?? "v1",
                    users: try count("users"), versions: try count("versions"), history: try count("history"),
                    lastSequence: try SQLiteStore.latestSequence(db))
            }
        }
    }

    // MARK: Steps

    /// Runs `body` with the path of a new temporary file in `destination`'s folder (so that it can be
    /// renamed into place), and removes whatever of it is left afterwards.
    private static func withTemporaryCopy<T>(beside destination: String, _ body: (String) throws -> T) throws -> T {
        let url = URL(fileURLWithPath: destination)
        let folder = url.deletingLastPathComponent().path
        guard FileManager.default.fileExists(atPath: folder) else {
            throw ServerError(.unreadableFile, "the folder '\(folder)' does not exist")
        }
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString.prefix(8)).partial").path
        defer {
            for suffix in ["", "-journal", "-wal", "-shm"] {
                try? FileManager.default.removeItem(atPath: temporary + suffix)
            }
        }
        return try body(temporary)
    }

    /// Copies the whole database behind `source` into a new file at `path`, as one file (rollback
    /// journal): a backup is one file to copy, and `serve` turns WAL on again when it opens it.
    private static func copy(from source: @autoclosure () throws -> DatabaseQueue, to path: String) throws {
        try wrap(invalid: true) {
            let destination = try DatabaseQueue(path: path)
            try source().backup(to: destination)
            try destination.writeWithoutTransaction { db in
                _ = try String.fetchOne(db, sql: "PRAGMA journal_mode = DELETE")
            }
            try destination.close()
        }
    }

    /// Puts the finished file at `destination`: renamed over it when `replacing`, else linked (which
    /// fails, atomically, if something appeared there meanwhile); then syncs the folder so the new
    /// name survives a power cut.
    private static func place(_ temporary: String, at destination: String, replacing: Bool) throws {
        if replacing {
            guard rename(temporary, destination) == 0 else {
                throw ServerError(
                    .database, "cannot rename the copy to '\(destination)': \(String(cString: strerror(errno)))")
            }
        } else {
            guard link(temporary, destination) == 0 else {
                if errno == EEXIST {
                    throw ServerError(
                        .destinationExists, "'\(destination)' appeared while the copy was made; nothing was replaced")
                }
                throw ServerError(.database, "cannot write '\(destination)': \(String(cString: strerror(errno)))")
            }
            unlink(temporary)
        }
        let folder = open(URL(fileURLWithPath: destination).deletingLastPathComponent().path, O_RDONLY)
        if folder >= 0 {
            _ = fsync(folder)
            close(folder)
        }
    }

    /// Refuses a destination that holds data (or is not a database): a restore never replaces a store.
    private static func refuseUnlessEmpty(_ destination: String) throws {
        guard FileManager.default.fileExists(atPath: destination) else { return }
        let held: Int
        do {
            held = try DatabaseQueue(path: destination).read { db in
                var total = 0
                for table in ["users", "versions", "groups", "history"] where try db.tableExists(table) {
                    total += try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table)") ?? 0
                }
                return total
            }
        } catch {
            throw ServerError(
                .destinationExists, "'\(destination)' exists and is not an nkserver database; restore into a new path")
        }
        guard held == 0 else {
            throw ServerError(
                .destinationExists,
                "the database '\(destination)' already holds data; restore only into an empty location "
                    + "(stop its server and move the file aside, or name a new --db)")
        }
    }

    /// Removes an existing empty store at `destination`, with its journal and WAL files: a WAL left
    /// beside the restored file would be replayed into it.
    private static func removeEmptyDatabase(_ destination: String) throws {
        for suffix in ["-wal", "-shm", "-journal", ""]
        where FileManager.default.fileExists(atPath: destination + suffix) {
            try FileManager.default.removeItem(atPath: destination + suffix)
        }
    }

    /// Wraps GRDB's errors: a file that SQLite cannot read as a database is an invalid backup.
    private static func wrap<T>(invalid: Bool, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as ServerError {
            throw error
        } catch let error as DatabaseError {
            let reason = error.message ?? "\(error.resultCode)"
            if invalid {
                throw ServerError(.invalidBackup, "not a readable SQLite database (\(reason))", underlying: error)
            }
            throw ServerError(.database, "database error: \(reason)", underlying: error)
        }
    }
}

/// What a checked backup holds.
public struct BackupSummary: Sendable, Hashable, CustomStringConvertible {
    /// The newest migration applied.
    public var schema: String
    public var users: Int
    public var versions: Int
    public var history: Int
    public var lastSequence: Int64

    /// `integrity ok, schema v5-history, users=3 versions=812 history=20 last_seq=900`.
    public var description: String {
        "integrity ok, schema \(schema), users=\(users) versions=\(versions) history=\(history) last_seq=\(lastSequence)"
    }
}
