import Foundation
import GRDB

/// Opens `replica.sqlite` and brings its schema up to date.
enum ReplicaDatabase {
    /// Opens (creating if needed) the database at `url`, with migrations applied (the shipped
    /// ones; tests add one that fails).
    static func open(at url: URL, migrator: DatabaseMigrator = ReplicaDatabase.migrator) throws(ClientError)
        -> DatabaseQueue
    {
        try ClientError.wrappingStorage("cannot open the replica database \(url.path)") {
            var configuration = Configuration()
            configuration.busyMode = .timeout(10)
            configuration.label = "nkclient.replica"
            let created = !FileManager.default.fileExists(atPath: url.path)
            let queue = try DatabaseQueue(path: url.path, configuration: configuration)
            try refuseNewerSchema(queue, at: url, migrator: migrator)
            try useWriteAheadLog(queue)
            try migrate(queue, at: url, with: migrator)
            if created {
                try? FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: url.path)
            }
            return queue
        }
    }

    /// An in-memory database with the schema, for tests.
    static func openInMemory() throws(ClientError) -> DatabaseQueue {
        try ClientError.wrappingStorage("cannot open an in-memory database") {
            let queue = try DatabaseQueue()
            try migrator.migrate(queue)
            return queue
        }
    }

    /// Refuses a replica that a newer nkclient has migrated, before anything is written to it.
    ///
    /// GRDB's migrator would skip the migrations it does not know and carry on, and this build
    /// would then write rows without the columns and tables a newer one relies on. Only a read
    /// happens here: the file stays byte for byte as the newer nkclient left it.
    static func refuseNewerSchema(_ queue: DatabaseQueue, at url: URL, migrator: DatabaseMigrator) throws {
        let unknown = try queue.read { db in
            try migrator.appliedIdentifiers(db).subtracting(migrator.migrations).sorted()
        }
        guard let first = unknown.first else { return }
        throw ClientError(
            .storage,
            "this replica was written by a newer nkclient; upgrade nkclient (\(url.path) has migration "
                + "'\(first)', which this one does not know; nothing was changed)")
    }

    /// Applies the migrations the replica lacks. GRDB runs each in a transaction of its own and
    /// rolls back the one that fails (those before it stay applied, as a complete earlier schema),
    /// so a failure loses nothing: the error says which migration failed, in one line.
    static func migrate(_ queue: DatabaseQueue, at url: URL, with migrator: DatabaseMigrator) throws {
        do {
            try migrator.migrate(queue)
        } catch {
            let applied = (try? queue.read { db in try migrator.appliedIdentifiers(db) }) ?? []
            let failed = migrator.migrations.first { !applied.contains($0) } ?? "?"
            throw ClientError(
                .storage,
                "cannot upgrade the replica database \(url.path): migration '\(failed)' failed "
                    + "(\(ClientError.oneLine(error))); it was rolled back and the replica still holds everything "
                    + "it held; an nkclient that fixes this will upgrade it")
        }
    }

    /// WAL journal, every commit synced (`synchronous = FULL`) unless a write asks for less
    /// (``Replica/writeAsync(syncing:_:)``). A commit in WAL mode is one append and one fsync,
    /// where the rollback journal took a file created, synced and deleted per transaction.
    static func useWriteAheadLog(_ queue: DatabaseQueue) throws {
        try queue.writeWithoutTransaction { db in
            let mode = try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")
            guard mode?.lowercased() == "wal" else {
                throw ClientError(
                    .storage, "the replica database cannot use a write-ahead log (journal mode \(mode ?? "?"))")
            }
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
    }
}
