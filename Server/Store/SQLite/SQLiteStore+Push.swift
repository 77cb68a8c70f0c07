import Foundation
import GRDB
import Logging
import NKProtocol
import Synchronization

extension SQLiteStore {
    public func push(
        user: AuthenticatedUser, replica: ReplicaID, versions: [RecordVersion]
    ) async throws -> [PushItemResult] {
        try PushRules.checkRequest(user: user, replica: replica, serverReplicaID: serverReplicaID)
        let now = Date()
        let results = try await postTexts.forgettingOnFailure {
            try await Self.wrap {
                try await pool.write { db in
                    try Self.bindReplica(db, replica: replica, user: user, at: now)
                    let facts = SQLitePushFacts(db: db, user: user, context: PushContext(postTexts: postTexts))
                    let results = try versions.map { version in
                        try Self.pushItem(
                            db, version, replica: replica, user: user, at: now, facts: facts, logger: logger)
                    }
                    try Self.raiseHighWater(db, replica: replica, to: ReplicaHighWater.of(replica, results))
                    return results
                }
            }
        }
        if results.contains(where: { $0.status == .applied || $0.status == .conflict }) {
            await changeNotifier.announce()
        }
        return results
    }

    /// Binds a new replica id to `user`; refuses one bound to someone else.
    static func bindReplica(_ db: Database, replica: ReplicaID, user: AuthenticatedUser, at now: Date) throws {
        if let bound = try ReplicaRecord.fetchOne(db, key: replica.rawValue) {
            guard bound.userId == user.id else { throw PushRules.replicaOfAnotherUser(replica) }
        } else {
            try ReplicaRecord(id: replica.rawValue, userId: user.id, firstSeenAt: now).insert(db)
        }
    }

    /// One pushed version: decided by ``PushRules``, then written (nothing is written for a
    /// rejected or unchanged one).
    static func pushItem(
        _ db: Database, _ version: RecordVersion, replica: ReplicaID, user: AuthenticatedUser, at now: Date,
        facts: SQLitePushFacts, logger: Logger
    ) throws -> PushItemResult {
        let (result, write) = try PushRules.item(version, replica: replica) {
            let held = try VersionRecord.frontier(db, type: version.type, id: version.id)
            return try PushRules.decide(
                version, held: held, replica: replica, user: user, at: now, facts: facts)
        }
        switch write {
        case .store(let stored, let replacing, _, let formerReaders):
            for row in replacing { try SQLiteStore.supersede(db, row, at: now) }
            var record = try VersionRecord(
                stored, storedAt: now, formerReaders: formerReaders, encoder: facts.context.encoder)
            try record.insert(db)
        case .withheld:
            PushRules.logWithheld(version, replica: replica, user: user, logger: logger)
        case .unchanged, nil:
            break
        }
        return result
    }
}

/// ``PushFacts`` read from the push's own write transaction.
final class SQLitePushFacts: PushFacts {
    let db: Database
    let user: AuthenticatedUser
    let context: PushContext
    private var access: ReadAccess?
    private var names: Set<String>?

    init(db: Database, user: AuthenticatedUser, context: PushContext) {
        self.db = db
        self.user = user
        self.context = context
    }

    func readAccess() throws -> ReadAccess {
        if let access { return access }
        let loaded = try ReadAccess.load(db, user: user)
        access = loaded
        return loaded
    }

    func groupExists(_ name: String) throws -> Bool {
        try GroupRecord.filter(GroupRecord.Columns.name == name).fetchCount(db) > 0
    }

    func postTexts(_ postId: String) throws -> [String] {
        try context.postTexts(db, postId: postId)
    }

    func userNames() throws -> Set<String> {
        if let names { return names }
        let loaded = Set(try String.fetchAll(db, sql: "SELECT name FROM \(UserRecord.databaseTableName)"))
        names = loaded
        return loaded
    }

    func members(of group: String) throws -> Set<String> {
        try SQLiteStore.members(db, group: group)
    }

    func annotationFrontier(_ id: String) throws -> [VersionRecord] {
        try VersionRecord.frontier(db, type: .annotation, id: id)
    }
}

/// What one push request reuses across its versions: a JSON encoder, and the current texts of the
/// posts its new annotations quote. Lives inside the push's write transaction only.
final class PushContext {
    let encoder = Wire.makeEncoder()
    private let cache: PostTextCache

    init(postTexts: PostTextCache = PostTextCache()) {
        cache = postTexts
    }

    /// The texts of the current, not deleted versions of a post (empty when there is none).
    ///
    /// The frontier is read every time (an index lookup); a version's text is decoded only the
    /// first time its row is seen: a stored version never changes under its sequence number.
    func postTexts(_ db: Database, postId: String) throws -> [String] {
        var texts: [String] = []
        let statement = try db.cachedStatement(
            sql:
                "SELECT seq, body FROM versions WHERE recordType = 'post' AND recordId = ? AND deleted = 0 ORDER BY vector"
        )
        let rows = try Row.fetchCursor(statement, arguments: [postId])
        while let row = try rows.next() {
            let seq: Int64 = row[0]
            if let text = cache[seq] {
                texts.append(text)
                continue
            }
            let body: String = row[1]
            let post = try Wire.makeDecoder().decode(Post.self, from: Data(body.utf8))
            cache[seq] = post.text
            texts.append(post.text)
        }
        return texts
    }
}

/// Decoded post texts by version sequence number, shared by every push, bounded.
final class PostTextCache: Sendable {
    /// About 2,000 posts (some 10 MB); emptied when it grows past it.
    static let capacity = 2048
    private let texts = Mutex<[Int64: String]>([:])

    subscript(seq: Int64) -> String? {
        get { texts.withLock { $0[seq] } }
        set {
            texts.withLock { texts in
                if texts.count >= Self.capacity { texts.removeAll(keepingCapacity: true) }
                texts[seq] = newValue
            }
        }
    }

    /// Runs a push's transaction; empties the cache when it fails. A rolled-back transaction gives
    /// its sequence numbers back, and the texts it cached for versions it wrote (posts pushed with
    /// the notes that quote them) would otherwise stand for other versions under the same numbers.
    func forgettingOnFailure<T>(_ transaction: () async throws -> T) async throws -> T {
        do {
            return try await transaction()
        } catch {
            texts.withLock { $0.removeAll() }
            throw error
        }
    }
}
