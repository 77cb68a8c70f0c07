import Foundation
import Logging
import NKProtocol
import PostgresNIO

extension PostgresStore {
    static let versionColumns =
        "seq, record_type, record_id, vector, vector_json, deleted, editor, author, visibility, post_id, body, stored_at, "
        + "former_readers"

    /// Reads the frontiers of every record the batch touches (and of the posts its annotations
    /// quote) in one query, decides each version in order against those frontiers as the batch
    /// changes them, and writes the outcome with one DELETE and one INSERT: a few round trips per
    /// push instead of several per version. The same decisions as ``SQLiteStore``, which reads and
    /// writes per version (`StorePushTests` and the rest of the conformance suite run on both).
    public func push(
        user: AuthenticatedUser, replica: ReplicaID, versions: [RecordVersion]
    ) async throws -> [PushItemResult] {
        try PushRules.checkRequest(user: user, replica: replica, serverReplicaID: serverReplicaID)
        let now = Date()
        let (results, numbered) = try await postTexts.forgettingOnFailure {
            try await pushTransaction(user: user, replica: replica, versions: versions, at: now)
        }
        if numbered { await changeNotifier.announce() }
        return results
    }

    private func pushTransaction(
        user: AuthenticatedUser, replica: ReplicaID, versions: [RecordVersion], at now: Date
    ) async throws -> (result: [PushItemResult], numbered: Bool) {
        try await write { [self] connection, numbers in
            try await bindReplica(connection, replica: replica, user: user, at: now)
            let facts = try await PostgresPushFacts.load(
                connection, user: user, store: self,
                withMembers: versions.contains { if case .annotation = $0.body { true } else { false } })
            // Nothing of an invalid version reaches the database (PostgreSQL refuses text with
            // NUL, say): PushRules.item rejects it below without asking `decide`.
            let checks = versions.map { version in
                Result { try PushRules.checkVersion(version, replica: replica) }
            }
            var keys = Set<RecordKey>()
            for (version, check) in zip(versions, checks) where (try? check.get()) != nil {
                keys.insert(RecordKey(type: version.type.rawValue, id: version.id))
                if case .annotation(let annotation) = version.body {
                    keys.insert(RecordKey(type: RecordType.post.rawValue, id: annotation.postId.rawValue))
                    if let parent = annotation.replyTo {
                        keys.insert(RecordKey(type: RecordType.annotation.rawValue, id: parent.rawValue))
                    }
                }
            }
            var batch = PushBatch(frontiers: try await frontiers(connection, keys))
            let encoder = Wire.makeEncoder()
            var results: [PushItemResult] = []
            results.reserveCapacity(versions.count)
            for (version, check) in zip(versions, checks) {
                let key = RecordKey(type: version.type.rawValue, id: version.id)
                let held = batch.frontiers[key] ?? []
                // Also when the record is held: one the user may not see is decided as a new one.
                if case .annotation(let annotation) = version.body {
                    let postKey = RecordKey(type: RecordType.post.rawValue, id: annotation.postId.rawValue)
                    try facts.setPostTexts(annotation.postId.rawValue, from: batch.frontiers[postKey] ?? [])
                    if let parent = annotation.replyTo {
                        let parentKey = RecordKey(type: RecordType.annotation.rawValue, id: parent.rawValue)
                        facts.setAnnotationFrontier(parent.rawValue, batch.frontiers[parentKey] ?? [])
                    }
                }
                let (result, write) = try PushRules.item(version, checked: check) {
                    try PushRules.decide(
                        version, held: held, replica: replica, user: user, at: now, facts: facts)
                }
                switch write {
                case .store(let stored, let replacing, _, let formerReaders):
                    var record = try VersionRecord(
                        stored, storedAt: now, formerReaders: formerReaders, encoder: encoder)
                    record.seq = numbers.next()
                    batch.store(record, replacing: replacing, key: key)
                case .withheld:
                    PushRules.logWithheld(version, replica: replica, user: user, logger: logger)
                case .unchanged, nil:
                    break
                }
                results.append(result)
            }
            try await batch.write(connection, store: self, storedAt: now)
            let highWater = ReplicaHighWater.of(replica, results)
            if highWater > 0 {
                try await connection.query(
                    "UPDATE nk_replicas SET high_water = GREATEST(high_water, \(highWater)) WHERE id = \(replica.rawValue)",
                    logger: logger)
            }
            return results
        }
    }

    /// The frontiers of these records, each in sibling order.
    func frontiers(_ connection: PostgresConnection, _ keys: Set<RecordKey>) async throws -> [RecordKey:
        [VersionRecord]]
    {
        guard !keys.isEmpty else { return [:] }
        let ordered = Array(keys)
        let rows = try await versions(
            connection,
            """
            SELECT \(unescaped: Self.versionColumns) FROM nk_versions
            WHERE (record_type, record_id) IN (
                SELECT * FROM UNNEST(\(ordered.map(\.type))::text[], \(ordered.map(\.id))::text[]))
            ORDER BY record_type, record_id, vector
            """)
        return Dictionary(grouping: rows) { RecordKey(type: $0.recordType, id: $0.recordId) }
    }

    private func bindReplica(
        _ connection: PostgresConnection, replica: ReplicaID, user: AuthenticatedUser, at now: Date
    ) async throws {
        var bound: Int64?
        for try await userId in try await connection.query(
            "SELECT user_id FROM nk_replicas WHERE id = \(replica.rawValue)", logger: logger
        ).decode(Int64.self) {
            bound = userId
        }
        if let bound {
            guard bound == user.id else { throw PushRules.replicaOfAnotherUser(replica) }
        } else {
            try await connection.query(
                "INSERT INTO nk_replicas (id, user_id, first_seen_at) VALUES (\(replica.rawValue), \(user.id), \(now))",
                logger: logger)
        }
    }

    /// The record's current frontier: every stored version of it, in sibling order.
    func frontier(_ connection: PostgresConnection, type: RecordType, id: String) async throws -> [VersionRecord] {
        try await versions(
            connection,
            """
            SELECT \(unescaped: Self.versionColumns) FROM nk_versions
            WHERE record_type = \(type.rawValue) AND record_id = \(id) ORDER BY vector
            """)
    }

    /// The rows a query of ``versionColumns`` returns.
    func versions(_ connection: PostgresConnection, _ query: PostgresQuery) async throws -> [VersionRecord] {
        var rows: [VersionRecord] = []
        let sequence = try await connection.query(query, logger: logger)
        for try await row in sequence {
            let (
                seq, type, id, vector, vectorJSON, deleted, editor, author, visibility, postId, body, storedAt,
                formerReaders
            ) =
                try row.decode(
                    (
                        Int64, String, String, String, String, Bool, String?, String?, String?, String?, String,
                        Date, String?
                    ).self)
            rows.append(
                VersionRecord(
                    seq: seq, recordType: type, recordId: id, vector: vector, vectorJSON: vectorJSON, deleted: deleted,
                    editor: editor, author: author, visibility: visibility, postId: postId, body: body,
                    storedAt: storedAt, formerReaders: formerReaders))
        }
        return rows
    }

    func insertHistory(_ connection: PostgresConnection, _ history: HistoryRecord) async throws {
        let record = history.version
        try await connection.query(
            """
            INSERT INTO nk_history (\(unescaped: Self.versionColumns), superseded_at) VALUES (
                \(record.seq), \(record.recordType), \(record.recordId), \(record.vector), \(record.vectorJSON),
                \(record.deleted), \(record.editor), \(record.author), \(record.visibility), \(record.postId),
                \(record.body), \(record.storedAt), \(record.formerReaders), \(history.supersededAt))
            """,
            logger: logger)
    }

    func insert(_ connection: PostgresConnection, _ record: VersionRecord) async throws {
        try await connection.query(
            """
            INSERT INTO nk_versions (\(unescaped: Self.versionColumns)) VALUES (
                \(record.seq), \(record.recordType), \(record.recordId), \(record.vector), \(record.vectorJSON),
                \(record.deleted), \(record.editor), \(record.author), \(record.visibility), \(record.postId),
                \(record.body), \(record.storedAt), \(record.formerReaders))
            """,
            logger: logger)
    }

    public func changesJSON(user: AuthenticatedUser, since: Int64, limit: Int, threads: Bool) async throws -> Data {
        let pageSize = max(1, limit)
        return try await read { [self] connection in
            let access = try await readAccess(connection, user: user)
            let (latest, rows) = try await page(connection, since: since, size: pageSize)
            var json = PullPageJSON()
            var next = since
            for row in rows.prefix(pageSize) {
                guard RecordType(rawValue: row.recordType) != nil, let seq = row.seq else {
                    throw ServerError(.internal, "a stored version has an unknown record type")
                }
                // A row the user may not see at all is covered by the page (next) but sent as nothing.
                next = seq
                let readable = row.isReadable(by: access)
                guard readable || row.isFormerReader(access.user) else { continue }
                if !threads, row.recordType == RecordType.annotation.rawValue, VersionRecord.isThread(body: row.body) {
                    continue
                }
                json.append(
                    seq: seq, type: row.recordType, id: row.recordId, vectorJSON: row.vectorJSON,
                    deleted: row.deleted, editor: row.editor, body: readable ? row.body : nil)
            }
            return json.finish(next: next, more: rows.count > pageSize, latest: latest)
        }
    }

    /// Up to `size + 1` versions after `since`, in sequence order, and the newest sequence number,
    /// read by one statement: one snapshot, so no row of the page is numbered above `latest` (the
    /// pool's connections run each statement in a transaction of its own). Refuses a bad cursor.
    private func page(_ connection: PostgresConnection, since: Int64, size: Int) async throws -> (
        latest: Int64, rows: [VersionRecord]
    ) {
        let result = try await connection.query(
            """
            SELECT s.last, v.* FROM nk_sequence s LEFT JOIN LATERAL (
                SELECT \(unescaped: Self.versionColumns) FROM nk_versions
                WHERE seq > \(since) ORDER BY seq LIMIT \(size + 1)) v ON true
            WHERE s.id = 1 ORDER BY v.seq
            """,
            logger: logger)
        var latest: Int64 = 0
        var rows: [VersionRecord] = []
        for try await row in result {
            let (
                last, seq, type, id, vector, vectorJSON, deleted, editor, author, visibility, postId, body, storedAt,
                formerReaders
            ) =
                try row.decode(
                    (
                        Int64, Int64?, String?, String?, String?, String?, Bool?, String?, String?, String?, String?,
                        String?, Date?, String?
                    ).self)
            latest = last
            guard let seq, let type, let id, let vector, let vectorJSON, let deleted, let body, let storedAt else {
                continue  // no version after `since`: the one row of the sequence alone
            }
            rows.append(
                VersionRecord(
                    seq: seq, recordType: type, recordId: id, vector: vector, vectorJSON: vectorJSON, deleted: deleted,
                    editor: editor, author: author, visibility: visibility, postId: postId, body: body,
                    storedAt: storedAt, formerReaders: formerReaders))
        }
        try ServerError.checkCursor(since, last: latest)
        return (latest, rows)
    }

    public func record(user: AuthenticatedUser, type: RecordType, id: String) async throws -> [RecordVersion] {
        // PostgreSQL text cannot hold NUL; no record id has one.
        guard !id.contains("\u{0}") else {
            throw ServerError(.notFound, "there is no \(type.rawValue) with this id")
        }
        return try await read { [self] connection in
            let access = try await readAccess(connection, user: user)
            return try VersionRecord.readable(
                try await frontier(connection, type: type, id: id), by: access, type: type)
        }
    }

    public func history(user: AuthenticatedUser, type: RecordType, id: String) async throws -> [HistoryEntry] {
        try await read { [self] connection in
            let access = try await readAccess(connection, user: user)
            let current = try await frontier(connection, type: type, id: id)
            let superseded = try await versions(
                connection,
                """
                SELECT \(unescaped: Self.versionColumns) FROM nk_history
                WHERE record_type = \(type.rawValue) AND record_id = \(id) ORDER BY seq
                """)
            return try HistoryEntry.readable(current: current, superseded: superseded, by: access, type: type)
        }
    }

    /// Moves versions a newer one replaces out of the frontier into `nk_history`, every column kept.
    func supersede(_ connection: PostgresConnection, seqs: [Int64], at now: Date) async throws {
        guard !seqs.isEmpty else { return }
        try await connection.query(
            """
            INSERT INTO nk_history (\(unescaped: Self.versionColumns), superseded_at)
            SELECT \(unescaped: Self.versionColumns), \(now) FROM nk_versions WHERE seq = ANY(\(seqs)::bigint[])
            """,
            logger: logger)
        try await connection.query("DELETE FROM nk_versions WHERE seq = ANY(\(seqs)::bigint[])", logger: logger)
    }

    public func latestSequence() async throws -> Int64 {
        try await read { [self] connection in try await latestSequence(connection) }
    }

    public func storageFacts() async throws -> StorageFacts {
        try await read { [self] connection in
            var bytes: Int64 = 0
            for try await value in try await connection.query(
                "SELECT pg_database_size(current_database())", logger: logger
            ).decode(Int64.self) {
                bytes = value
            }
            return StorageFacts(databaseBytes: bytes, freeDiskBytes: nil)
        }
    }

    public func replicaHighWater(user: AuthenticatedUser, replica: ReplicaID) async throws -> UInt64 {
        try await read { [self] connection in
            var highWater: Int64 = 0
            for try await value in try await connection.query(
                "SELECT high_water FROM nk_replicas WHERE id = \(replica.rawValue) AND user_id = \(user.id)",
                logger: logger
            ).decode(Int64.self) {
                highWater = value
            }
            return UInt64(max(0, highWater))
        }
    }

    func latestSequence(_ connection: PostgresConnection) async throws -> Int64 {
        var last: Int64 = 0
        for try await value in try await connection.query("SELECT last FROM nk_sequence WHERE id = 1", logger: logger)
            .decode(Int64.self)
        {
            last = value
        }
        return last
    }

    /// The groups `user` belongs to, as they are in the database now.
    func readAccess(_ connection: PostgresConnection, user: AuthenticatedUser) async throws -> ReadAccess {
        var groups: Set<String> = []
        for try await name in try await connection.query(
            """
            SELECT g.name FROM nk_groups g JOIN nk_group_members m ON m.group_id = g.id WHERE m.user_id = \(user.id)
            """,
            logger: logger
        ).decode(String.self) {
            groups.insert(name)
        }
        return ReadAccess(user: user.name, groups: groups)
    }

    public func waitForChanges(since: Int64, timeout: Duration, recheck: Duration) async throws -> WaitResponse {
        try await changeNotifier.waitForChanges(since: since, timeout: timeout, recheck: recheck) {
            // A cancelled wait (graceful shutdown) still answers with the latest sequence number.
            try await Task { try await self.latestSequence() }.value
        }
    }
}

/// ``PushFacts`` loaded from the push's transaction before the rules run: the user's groups and
/// every group name once per push, every user with their groups when the push holds annotations
/// (for former readers), a post's texts (from the batch's frontiers) when a new annotation quotes it.
///
/// Not `Sendable`: it lives in the push's transaction, in the task that runs it.
final class PostgresPushFacts: PushFacts {
    private let access: ReadAccess
    private let groupNames: Set<String>
    private let users: Set<String>
    private let groupMembers: [String: Set<String>]
    private let store: PostgresStore
    private var texts: [String: [String]] = [:]
    private var annotations: [String: [VersionRecord]] = [:]

    private init(
        access: ReadAccess, groupNames: Set<String>, users: Set<String>, groupMembers: [String: Set<String>],
        store: PostgresStore
    ) {
        self.access = access
        self.groupNames = groupNames
        self.users = users
        self.groupMembers = groupMembers
        self.store = store
    }

    static func load(
        _ connection: PostgresConnection, user: AuthenticatedUser, store: PostgresStore, withMembers: Bool
    ) async throws -> PostgresPushFacts {
        let access = try await store.readAccess(connection, user: user)
        var names: Set<String> = []
        for try await name in try await connection.query("SELECT name FROM nk_groups", logger: store.logger)
            .decode(String.self)
        {
            names.insert(name)
        }
        var users: Set<String> = []
        var members: [String: Set<String>] = [:]
        if withMembers {
            for try await (name, group) in try await connection.query(
                """
                SELECT u.name, g.name FROM nk_users u
                LEFT JOIN nk_group_members m ON m.user_id = u.id LEFT JOIN nk_groups g ON g.id = m.group_id
                """,
                logger: store.logger
            ).decode((String, String?).self) {
                users.insert(name)
                if let group { members[group, default: []].insert(name) }
            }
        }
        return PostgresPushFacts(
            access: access, groupNames: names, users: users, groupMembers: members, store: store)
    }

    /// Sets the texts of the current, not deleted versions of a post from its frontier as the push
    /// holds it, decoding each version once (``PostTextCache``, by sequence number).
    func setPostTexts(_ postId: String, from frontier: [VersionRecord]) throws {
        var result: [String] = []
        for row in frontier where !row.deleted {
            guard let seq = row.seq else { continue }
            if let text = store.postTexts[seq] {
                result.append(text)
                continue
            }
            let post = try Wire.makeDecoder().decode(Post.self, from: Data(row.body.utf8))
            store.postTexts[seq] = post.text
            result.append(post.text)
        }
        texts[postId] = result
    }

    func readAccess() throws -> ReadAccess { access }

    func groupExists(_ name: String) throws -> Bool { groupNames.contains(name) }

    func postTexts(_ postId: String) throws -> [String] { texts[postId] ?? [] }

    func userNames() throws -> Set<String> { users }

    func members(of group: String) throws -> Set<String> { groupMembers[group] ?? [] }

    /// Sets a reply's parent's frontier as the push holds it (in-batch versions included).
    func setAnnotationFrontier(_ id: String, _ frontier: [VersionRecord]) {
        annotations[id] = frontier
    }

    func annotationFrontier(_ id: String) throws -> [VersionRecord] { annotations[id] ?? [] }
}

/// A record: its type and id.
struct RecordKey: Hashable, Sendable {
    var type: String
    var id: String
}

/// What one push changes, kept in memory until it is written: the frontiers as the batch has made
/// them, the versions to insert, and the stored versions to delete.
struct PushBatch {
    var frontiers: [RecordKey: [VersionRecord]]
    private var inserts: [Int64: VersionRecord] = [:]
    private var deletes: [Int64] = []
    /// Versions this batch stored and superseded itself: they go straight to `nk_history`.
    private var supersededInBatch: [VersionRecord] = []

    init(frontiers: [RecordKey: [VersionRecord]]) {
        self.frontiers = frontiers
    }

    /// Adds `record` to its frontier in place of the versions it replaces. A replaced version that
    /// this batch added is simply not inserted.
    mutating func store(_ record: VersionRecord, replacing: [VersionRecord], key: RecordKey) {
        let replaced = Set(replacing.compactMap(\.seq))
        for seq in replaced {
            if let own = inserts.removeValue(forKey: seq) {
                supersededInBatch.append(own)
            } else {
                deletes.append(seq)
            }
        }
        var frontier = (frontiers[key] ?? []).filter { !replaced.contains($0.seq ?? -1) }
        frontier.append(record)
        // Sibling order: the canonical vector text, bytewise (as `ORDER BY vector COLLATE "C"`).
        frontier.sort { $0.vector.utf8.lexicographicallyPrecedes($1.vector.utf8) }
        frontiers[key] = frontier
        if let seq = record.seq { inserts[seq] = record }
    }

    /// The replaced versions move to `nk_history`, then one INSERT (nothing for a batch that
    /// changed nothing).
    func write(_ connection: PostgresConnection, store: PostgresStore, storedAt: Date) async throws {
        try await store.supersede(connection, seqs: deletes, at: storedAt)
        for record in supersededInBatch {
            try await store.insertHistory(connection, HistoryRecord(version: record, supersededAt: storedAt))
        }
        guard !inserts.isEmpty else { return }
        let logger = store.logger
        let rows = inserts.values.sorted { ($0.seq ?? 0) < ($1.seq ?? 0) }
        // Arrays cannot carry NULL here: '' stands for it (no editor, author, visibility, post id or
        // list of former readers is ever empty; `NULLIF` turns it back).
        try await connection.query(
            """
            INSERT INTO nk_versions (\(unescaped: PostgresStore.versionColumns))
            SELECT seq, record_type, record_id, vector, vector_json, deleted, NULLIF(editor, ''),
                NULLIF(author, ''), NULLIF(visibility, ''), NULLIF(post_id, ''), body, \(storedAt),
                NULLIF(former_readers, '')
            FROM UNNEST(
                \(rows.map { $0.seq ?? 0 })::bigint[], \(rows.map(\.recordType))::text[],
                \(rows.map(\.recordId))::text[], \(rows.map(\.vector))::text[], \(rows.map(\.vectorJSON))::text[],
                \(rows.map(\.deleted))::boolean[], \(rows.map { $0.editor ?? "" })::text[],
                \(rows.map { $0.author ?? "" })::text[], \(rows.map { $0.visibility ?? "" })::text[],
                \(rows.map { $0.postId ?? "" })::text[], \(rows.map(\.body))::text[],
                \(rows.map { $0.formerReaders ?? "" })::text[])
                AS v(seq, record_type, record_id, vector, vector_json, deleted, editor, author, visibility,
                    post_id, body, former_readers)
            """,
            logger: logger)
    }
}
