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
                return try versions.map { version in
                    try Self.pushItem(db, version, replica: replica, user: user, at: now)
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
        _ db: Database, _ version: RecordVersion, replica: ReplicaID, user: AuthenticatedUser, at now: Date
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
                status = try apply(db, version, user: user, at: now)
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
        _ db: Database, _ incoming: RecordVersion, user: AuthenticatedUser, at now: Date
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
                at: now)
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
        var record = try VersionRecord(version, storedAt: now)
        try record.insert(db)
        return siblings > 0 ? .conflict : .applied
    }
}
