import Foundation
import GRDB
import NKProtocol

extension ServerStore {
    /// Applies a push: one write transaction, one savepoint per version, in request order.
    ///
    /// Each version is validated, authorised, stamped with the user as `editor` and applied with the
    /// frontier rule (see `docs/DESIGN.md`). A refused version is `rejected` with a code and
    /// message and leaves nothing behind; the others still apply.
    ///
    /// - Throws: ``ServerError`` for the whole request: `read_only` for a read-only user,
    ///   `replica_mismatch` when the replica id belongs to another user, `bad_request` for a
    ///   malformed replica id.
    public func push(
        user: AuthenticatedUser, replica: ReplicaID, versions: [RecordVersion]
    ) async throws -> [PushItemResult] {
        guard !user.readOnly else {
            throw ServerError(.readOnly, "user '\(user.name)' is read-only: pulling works, pushing does not")
        }
        guard RecordVersion.isPlainIdentifier(replica.rawValue) else {
            throw ServerError(
                .badRequest, "the replica id is not 1 to \(Limits.maxIdLength) letters, digits, '.', '_' or '-'")
        }
        guard replica != serverReplicaID else {
            throw ServerError(.replicaMismatch, "the replica id is the server's own; use the replica's own id")
        }
        let now = Date()
        let results = try await Self.wrap {
            try await pool.write { db in
                try Self.bindReplica(db, replica: replica, user: user, at: now)
                let context = PushContext(postTexts: postTexts)
                return try versions.map { version in
                    try Self.pushItem(db, version, replica: replica, user: user, at: now, context: context)
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
            guard bound.userId == user.id else {
                throw ServerError(
                    .replicaMismatch,
                    "replica '\(replica.rawValue)' belongs to another user; each user needs their own replica")
            }
        } else {
            try ReplicaRecord(id: replica.rawValue, userId: user.id, firstSeenAt: now).insert(db)
        }
    }

    /// One pushed version, in its own savepoint.
    static func pushItem(
        _ db: Database, _ version: RecordVersion, replica: ReplicaID, user: AuthenticatedUser, at now: Date,
        context: PushContext = PushContext()
    ) throws -> PushItemResult {
        var result = PushItemResult(type: version.type, id: version.id, version: version.version, status: .rejected)
        do {
            try version.validate()
            guard version.version[replica] >= 1 else {
                throw PushRejection(
                    "invalid_version",
                    "the version vector has no edit by the pushing replica '\(replica.rawValue)'")
            }
            var status = PushStatus.rejected
            try db.inSavepoint {
                status = try apply(db, version, user: user, at: now, context: context)
                return .commit
            }
            result.status = status
        } catch let failure as ValidationFailure {
            result.code = failure.code
            result.message = failure.message
        } catch let rejection as PushRejection {
            result.code = rejection.code
            result.message = rejection.message
        }
        return result
    }

    /// Authorises a valid version and applies it with the frontier rule.
    static func apply(
        _ db: Database, _ incoming: RecordVersion, user: AuthenticatedUser, at now: Date,
        context: PushContext = PushContext()
    ) throws -> PushStatus {
        var version = incoming
        version.editor = user.name
        let rows = try VersionRecord.frontier(db, type: version.type, id: version.id)
        let frontier = try rows.map { (row: $0, vector: try $0.versionVector()) }
        switch version.body {
        case .post:
            if version.deleted {
                throw PushRejection.forbidden("posts are never deleted; push a corrected version instead")
            }
        case .annotation(let annotation):
            let authorised = try authorise(
                db, annotation, deleted: version.deleted, vector: version.version, frontier: frontier, user: user,
                at: now, context: context)
            version.body = .annotation(authorised)
        }
        if frontier.contains(where: { $0.vector.dominates(version.version) }) {
            return .unchanged
        }
        var siblings = 0
        for held in frontier {
            if version.version.dominates(held.vector) {
                try held.row.delete(db)
            } else {
                siblings += 1
            }
        }
        var record = try VersionRecord(version, storedAt: now, encoder: context.encoder)
        try record.insert(db)
        return siblings > 0 ? .conflict : .applied
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
final class PostTextCache: @unchecked Sendable {
    /// About 2,000 posts (some 10 MB); emptied when it grows past it.
    static let capacity = 2048
    private let lock = NSLock()
    private var texts: [Int64: String] = [:]

    subscript(seq: Int64) -> String? {
        get { lock.withLock { texts[seq] } }
        set {
            lock.withLock {
                if texts.count >= Self.capacity { texts.removeAll(keepingCapacity: true) }
                texts[seq] = newValue
            }
        }
    }
}
