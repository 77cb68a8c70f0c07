import Foundation
import GRDB
import Logging
import NKProtocol

/// The default store: an SQLite database in WAL mode with `synchronous = FULL`.
///
/// Several processes may open the same file (the running server and the admin commands): writes
/// wait for each other through SQLite's busy timeout. Open one store per file per process.
public final class SQLiteStore: ServerStore {
    let pool: DatabasePool
    /// The replica id of the server itself, used in the vectors of the posts it imports.
    public let serverReplicaID: ReplicaID
    /// Wakes the long polls when this process commits a change.
    let changeNotifier = ChangeNotifier()
    /// Post texts by the sequence number of their version, for checking quotes (SQLiteStore+Push).
    let postTexts = PostTextCache()
    /// Warnings about requests (a push into a record the user may not see); never texts or tokens.
    let logger: Logger

    /// Opens the database at `path`, creating it if missing, and brings its schema up to date.
    ///
    /// - Throws: ``ServerError`` with code `database` when the file cannot be opened as a database,
    ///   or when SQLite did not take WAL mode or `synchronous = FULL`.
    public init(path: String, logger: Logger = Logger(label: "nkserver.sqlite")) throws {
        self.logger = logger
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        do {
            try Self.refuseNewerSchema(at: path)
            pool = try DatabasePool(path: path, configuration: configuration)
            try Self.migrate(pool, path: path)
            try Self.enforceDurability(pool)
            serverReplicaID = try pool.read { db in
                guard let meta = try MetaRecord.fetchOne(db, key: MetaRecord.serverReplicaIDKey) else {
                    throw ServerError(.database, "the database has no server replica id; is it an nkserver database?")
                }
                return ReplicaID(meta.value)
            }
        } catch let error as ServerError {
            throw error
        } catch let error as DatabaseError {
            throw ServerError(
                .database, "cannot open the database '\(path)': \(error.message ?? "\(error.resultCode)")",
                underlying: error)
        } catch {
            throw ServerError(.database, "cannot open the database '\(path)'", underlying: error)
        }
    }

    /// Sets `synchronous = FULL` on the writer and refuses to run unless it took, with WAL mode.
    ///
    /// `prepareDatabase` sets it on every connection, but `DatabasePool` sets the writer to NORMAL
    /// when it turns WAL on, after `prepareDatabase`; the pool keeps that one writer connection
    /// open for its lifetime, so setting it again here lasts.
    private static func enforceDurability(_ pool: DatabasePool) throws {
        let (journalMode, writerSync) = try pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            return (
                try String.fetchOne(db, sql: "PRAGMA journal_mode"), try Int.fetchOne(db, sql: "PRAGMA synchronous")
            )
        }
        let readerSync = try pool.read { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") }
        guard journalMode?.lowercased() == "wal" else {
            throw ServerError(
                .database, "the database is not in WAL mode (journal_mode is \(journalMode ?? "unknown"))")
        }
        // 2 is FULL (0 OFF, 1 NORMAL, 3 EXTRA).
        guard let writerSync, let readerSync, writerSync >= 2, readerSync >= 2 else {
            throw ServerError(.database, "SQLite did not accept synchronous = FULL")
        }
    }

    /// Wraps dependency errors so no GRDB type (nor a decoding error of a stored row) leaves the store.
    static func wrap<T>(_ operation: () async throws -> T) async throws -> T {
        do {
            return try await operation()
        } catch let error as ServerError {
            throw error
        } catch let error as DatabaseError {
            throw ServerError(
                .database, "database error: \(error.message ?? "\(error.resultCode)")", underlying: error)
        } catch {
            // A stored row that no longer decodes, say: the server's fault, never the request's.
            throw ServerError(.internal, "internal error in the store", underlying: error)
        }
    }
}
