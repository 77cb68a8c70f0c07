import Foundation
import NKProtocol

/// The server's authoritative store, as the HTTP routes and the admin commands use it.
///
/// Two implementations behave the same (`Tests/NKServerTests/StoreConformance*` run one suite
/// against both): ``SQLiteStore``, one file beside the server and the default, and
/// ``PostgresStore``, one PostgreSQL database that several `nkserver` processes may share. See
/// `docs/DESIGN.md` ("Stores") for the tables and for how each keeps the change sequence
/// gap-free and monotonic.
///
/// Errors are ``ServerError``s: request errors with their stable code, `database` when the store
/// itself fails.
public protocol ServerStore: AnyObject, Sendable {
    /// The replica id of the server itself, used in the vectors of the posts it imports.
    var serverReplicaID: ReplicaID { get }

    // MARK: Sync

    /// Applies a push: every version validated, authorised, stamped with the user as `editor` and
    /// applied with the frontier rule, in request order, in one transaction. A refused version is
    /// `rejected` with a code and message and leaves nothing behind; the others still apply.
    ///
    /// - Throws: `read_only` for a read-only user, `replica_mismatch` when the replica id belongs
    ///   to another user or is the server's, `bad_request` for a malformed replica id.
    func push(user: AuthenticatedUser, replica: ReplicaID, versions: [RecordVersion]) async throws
        -> [PushItemResult]

    /// A page of the change sequence after `since`, at most `limit` entries, in sequence order, as
    /// the JSON bytes of its ``PullResponse``, spliced from the stored JSON of each version (as
    /// `Wire.makeEncoder()` would write it).
    ///
    /// Versions the user may not read come as `hidden`, with their vector only, to the users who
    /// could have held the record (former readers); to anyone else not at all, though the page
    /// still covers their rows. `next` is the last sequence number the page covered (`since` when
    /// it covered none); `more` says whether more changes follow; `latest` is the newest sequence
    /// number given, read in the page's own snapshot.
    ///
    /// Without `threads` (a client from before notes on whole posts and replies), annotation
    /// versions without a passage or with `replyTo` are left out as well (``VersionRecord/isThread(body:)``).
    ///
    /// - Throws: `invalid_cursor` when `since` is negative or beyond every sequence number the
    ///   store ever gave.
    func changesJSON(user: AuthenticatedUser, since: Int64, limit: Int, threads: Bool) async throws -> Data

    /// The current versions of one record that the user may read, in sibling order.
    ///
    /// - Throws: `not_found` when the record has no version the user may read.
    func record(user: AuthenticatedUser, type: RecordType, id: String) async throws -> [RecordVersion]

    /// Every version of one record the store has held, current and superseded, that the user may
    /// read, each by its own visibility, oldest first (``HistoryEntry/chronological(_:_:)``).
    ///
    /// - Throws: `not_found` when the record has no version the user may read.
    func history(user: AuthenticatedUser, type: RecordType, id: String) async throws -> [HistoryEntry]

    /// The newest sequence number the store has given (0 when none).
    func latestSequence() async throws -> Int64

    /// How large the database is, and how much room the disk it is on has left (nil when the store
    /// does not live on this machine's disk: PostgreSQL). Reads the store: `/health` asks it.
    func storageFacts() async throws -> StorageFacts

    /// The highest counter of `replica` in a version the store accepted from it, when `replica`
    /// belongs to `user`; 0 otherwise (never pushed, or another user's: nothing is told about it).
    func replicaHighWater(user: AuthenticatedUser, replica: ReplicaID) async throws -> UInt64

    /// Waits until the change sequence moves past `since` or `timeout` runs out. Wakes when a
    /// change is committed (by this process, or by any process where the store can tell), and
    /// re-reads the store every `recheck` in any case; answers `changed: false` at once when the
    /// task is cancelled.
    ///
    /// - Throws: `invalid_cursor` when `since` is beyond every sequence number the store gave.
    func waitForChanges(since: Int64, timeout: Duration, recheck: Duration) async throws -> WaitResponse

    // MARK: Users and groups

    /// Adds a user and returns their new token. Only the token's SHA-256 is stored.
    ///
    /// - Throws: `invalid_user_name` or `user_exists`.
    func addUser(name: String, readOnly: Bool) async throws -> String

    /// Every user, by name.
    func users() async throws -> [UserSummary]

    /// Revokes a user's token at once; false when the user was already revoked.
    ///
    /// - Throws: `unknown_user`.
    @discardableResult
    func revokeUser(name: String) async throws -> Bool

    /// Gives a user a new token and returns it; the old one stops working at once.
    ///
    /// - Throws: `unknown_user`.
    func rotateToken(name: String) async throws -> String

    /// The user whose valid (not revoked) token this is, or nil.
    func authenticate(token: String) async throws -> AuthenticatedUser?

    /// Adds an empty group.
    ///
    /// - Throws: `invalid_group_name` or `group_exists`.
    func addGroup(name: String) async throws

    /// Adds a user to a group and re-announces the group's annotations; returns how many.
    ///
    /// - Throws: `unknown_group`, `unknown_user` or `already_member`.
    @discardableResult
    func addMember(group: String, user: String) async throws -> Int

    /// Removes a user from a group and re-announces the group's annotations; returns how many.
    ///
    /// - Throws: `unknown_group`, `unknown_user` or `not_member`.
    @discardableResult
    func removeMember(group: String, user: String) async throws -> Int

    /// Every group with its members, by name.
    func groups() async throws -> [GroupSummary]

    // MARK: Posts

    /// Imports posts in one transaction by ``Post/importPlan(held:base:by:isImport:)``: each is
    /// compared with the version the server imported last, so corrections stay; importing the same
    /// posts twice changes nothing.
    ///
    /// - Throws: `invalid_post` (before anything is written) when a post breaks the record limits.
    func importPosts(_ posts: [Post]) async throws -> ImportSummary

    // MARK: Moving between stores

    /// Everything the store holds, for `nkserver migrate`: rows in key order, versions in sequence order.
    func exportContents() async throws -> StoreContents

    /// Loads ``exportContents()``'s result into an empty store, keeping every sequence number, id and
    /// token hash, and the server's replica id, in one transaction. Open the store again to use it
    /// afterwards (``serverReplicaID`` is read when the store opens).
    ///
    /// - Throws: `database` when the store is not empty.
    func importContents(_ contents: StoreContents) async throws
}

extension ServerStore {
    /// Adds a user who may push.
    public func addUser(name: String) async throws -> String {
        try await addUser(name: name, readOnly: false)
    }

    /// Waits with the default re-read interval of 500 ms.
    public func waitForChanges(since: Int64, timeout: Duration) async throws -> WaitResponse {
        try await waitForChanges(since: since, timeout: timeout, recheck: .milliseconds(500))
    }

    /// Parses every file first (see ``CorpusLoader``), then imports all their posts at once:
    /// a bad file imports nothing.
    func importFiles(_ paths: [String]) async throws -> ImportSummary {
        try await importPosts(CorpusLoader.load(paths: paths))
    }
}

/// The names the stores accept for users and groups.
public enum AccountNames {
    /// Checks that a user name is 1 to 64 of `A-Z a-z 0-9 . _ -`.
    ///
    /// - Throws: ``ServerError`` `invalid_user_name`.
    public static func checkUser(_ name: String) throws {
        guard RecordVersion.isPlainIdentifier(name) else {
            throw ServerError(
                .invalidUserName,
                "a user name is 1 to \(Limits.maxUserNameLength) letters, digits, '.', '_' or '-'")
        }
    }

    /// Checks that a group name is 1 to 64 of `A-Z a-z 0-9 . _ -`.
    ///
    /// - Throws: ``ServerError`` `invalid_group_name`.
    public static func checkGroup(_ name: String) throws {
        guard Visibility.isGroupName(name) else {
            throw ServerError(
                .invalidGroupName,
                "a group name is 1 to \(Limits.maxIdLength) letters, digits, '.', '_' or '-'")
        }
    }
}

extension ServerStore {
    /// A page for a client that reads every kind of annotation.
    func changesJSON(user: AuthenticatedUser, since: Int64, limit: Int) async throws -> Data {
        try await changesJSON(user: user, since: since, limit: limit, threads: true)
    }
}

/// ``ServerStore/storageFacts()``.
public struct StorageFacts: Sendable, Hashable {
    /// The database's size in bytes (SQLite: pages in use times the page size; PostgreSQL:
    /// `pg_database_size`).
    public var databaseBytes: Int64
    /// Free bytes on the file system of the database, for an unprivileged user; nil when unknown.
    public var freeDiskBytes: Int64?

    public init(databaseBytes: Int64, freeDiskBytes: Int64?) {
        self.databaseBytes = databaseBytes
        self.freeDiskBytes = freeDiskBytes
    }

    /// Free bytes on the file system that holds `path`, for an unprivileged user.
    static func freeBytes(at path: String) -> Int64? {
        let folder = (path as NSString).deletingLastPathComponent
        guard let attributes = try? FileManager.default.attributesOfFileSystem(forPath: folder.isEmpty ? "." : folder),
            let free = attributes[.systemFreeSize] as? NSNumber
        else { return nil }
        return free.int64Value
    }
}
