import GRDB
import NKProtocol

extension SQLiteStore {
    /// The current versions of one record that the user may read, in sibling order.
    ///
    /// - Throws: ``ServerError`` `not_found` when the record has no version the user may read.
    public func record(user: AuthenticatedUser, type: RecordType, id: String) async throws -> [RecordVersion] {
        try await Self.wrap {
            try await pool.read { db in
                let access = try ReadAccess.load(db, user: user)
                return try VersionRecord.readable(
                    VersionRecord.frontier(db, type: type, id: id), by: access, type: type)
            }
        }
    }

    /// The newest sequence number this database has given (0 when none): what `GET /v1/wait`
    /// compares its `since` with.
    public func latestSequence() async throws -> Int64 {
        try await Self.wrap {
            try await pool.read { db in try Self.latestSequence(db) }
        }
    }

    public func storageFacts() async throws -> StorageFacts {
        let path = pool.path
        let bytes = try await Self.wrap {
            try await pool.read { db in
                let pages = try Int64.fetchOne(db, sql: "PRAGMA page_count") ?? 0
                let size = try Int64.fetchOne(db, sql: "PRAGMA page_size") ?? 0
                return pages * size
            }
        }
        return StorageFacts(databaseBytes: bytes, freeDiskBytes: StorageFacts.freeBytes(at: path))
    }

    /// Refuses (`invalid_cursor`) a cursor below 0 or beyond every sequence number this database
    /// ever gave (a replica of another or a replaced database); returns that newest number.
    static func checkCursor(_ db: Database, _ since: Int64) throws -> Int64 {
        let latest = try latestSequence(db)
        try ServerError.checkCursor(since, last: latest)
        return latest
    }

    static func latestSequence(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(
            db, sql: "SELECT seq FROM sqlite_sequence WHERE name = ?", arguments: [VersionRecord.databaseTableName])
            ?? 0
    }
}
