import GRDB
import NKProtocol

extension SQLiteStore {
    /// A page of the change sequence after `since`, in sequence order, at most `limit` entries.
    ///
    /// Versions the user may not read come as `hidden`, with their vector only, to the users who
    /// could have held the record (former readers); to anyone else not at all, though the page
    /// still covers their rows. `next` is the last sequence number the page covered (`since` when it
    /// covered none); `more` says whether more changes follow; `latest` is the newest sequence
    /// number given, read in the page's own transaction.
    ///
    /// - Throws: ``ServerError`` `invalid_cursor` when `since` is negative or beyond every
    ///   sequence number this database ever gave (a replica of another or a replaced database).
    public func changes(user: AuthenticatedUser, since: Int64, limit: Int) async throws -> PullResponse {
        let pageSize = max(1, limit)
        return try await Self.wrap {
            try await pool.read { db in
                let latest = try Self.checkCursor(db, since)
                let rows =
                    try VersionRecord
                    .filter(VersionRecord.Columns.seq > since)
                    .order(VersionRecord.Columns.seq)
                    .limit(pageSize + 1)
                    .fetchAll(db)
                let page = rows.prefix(pageSize)
                let access = try ReadAccess.load(db, user: user)
                let changes = try page.compactMap { row in try row.change(access: access) }
                return PullResponse(
                    changes: changes, next: page.last?.seq ?? since, more: rows.count > pageSize, latest: latest)
            }
        }
    }

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
