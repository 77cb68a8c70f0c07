import Foundation
import NKProtocol
import PostgresNIO

extension PostgresStore {
    public func importPosts(_ posts: [Post]) async throws -> ImportSummary {
        try CorpusLoader.validate(posts)
        let replica = serverReplicaID
        let now = Date()
        let (summary, numbered) = try await write { [self] connection, numbers in
            var summary = ImportSummary()
            let encoder = Wire.makeEncoder()
            for post in posts {
                let id = post.id.rawValue
                var base: VersionRecord?
                for try await vector in try await connection.query(
                    "SELECT vector FROM nk_import_bases WHERE post_id = \(id)", logger: logger
                ).decode(String.self) {
                    base = try await storedVersion(connection, type: .post, id: id, vector: vector)
                }
                let plan = try post.serverImportPlan(
                    held: try await frontier(connection, type: .post, id: id), base: base, by: replica)
                summary.count(plan.outcome)
                for version in plan.writes {
                    let replaced = try await frontier(connection, type: .post, id: id).filter {
                        version.version.dominates(try $0.versionVector())
                    }
                    try await supersede(connection, seqs: replaced.compactMap(\.seq), at: now)
                    var record = try VersionRecord(version, storedAt: now, encoder: encoder)
                    record.seq = numbers.next()
                    try await insert(connection, record)
                }
                if let vector = plan.base {
                    try await connection.query(
                        """
                        INSERT INTO nk_import_bases (post_id, vector) VALUES (\(id), \(vector.canonical))
                        ON CONFLICT (post_id) DO UPDATE SET vector = EXCLUDED.vector
                        """,
                        logger: logger)
                }
            }
            return summary
        }
        if numbered { await changeNotifier.announce() }
        return summary
    }

    /// One stored version of a record, current or superseded, by its canonical vector.
    func storedVersion(_ connection: PostgresConnection, type: RecordType, id: String, vector: String) async throws
        -> VersionRecord?
    {
        for table in ["nk_versions", "nk_history"] {
            let rows = try await versions(
                connection,
                """
                SELECT \(unescaped: Self.versionColumns) FROM \(unescaped: table)
                WHERE record_type = \(type.rawValue) AND record_id = \(id) AND vector = \(vector)
                """)
            if let row = rows.first { return row }
        }
        return nil
    }

    public func exportContents() async throws -> StoreContents {
        try await withPooledConnection { [self] connection in
            // One snapshot for every table.
            try await connection.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", logger: self.logger)
            do {
                let contents = try await self.readContents(connection)
                try await connection.query("COMMIT", logger: self.logger)
                return contents
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: self.logger)
                throw error
            }
        }
    }

    private func readContents(_ connection: PostgresConnection) async throws -> StoreContents {
        var users: [UserRecord] = []
        for try await (id, name, hash, readOnly, createdAt, revokedAt) in try await connection.query(
            "SELECT id, name, token_hash, read_only, created_at, revoked_at FROM nk_users ORDER BY id", logger: logger
        ).decode((Int64, String, String, Bool, Date, Date?).self) {
            users.append(
                UserRecord(
                    id: id, name: name, tokenHash: hash, readOnly: readOnly, createdAt: createdAt, revokedAt: revokedAt)
            )
        }
        var replicas: [ReplicaRecord] = []
        for try await (id, userId, firstSeenAt, highWater) in try await connection.query(
            "SELECT id, user_id, first_seen_at, high_water FROM nk_replicas ORDER BY id", logger: logger
        ).decode((String, Int64, Date, Int64).self) {
            replicas.append(ReplicaRecord(id: id, userId: userId, firstSeenAt: firstSeenAt, highWater: highWater))
        }
        var groups: [GroupRecord] = []
        for try await (id, name, createdAt) in try await connection.query(
            "SELECT id, name, created_at FROM nk_groups ORDER BY id", logger: logger
        ).decode((Int64, String, Date).self) {
            groups.append(GroupRecord(id: id, name: name, createdAt: createdAt))
        }
        var members: [GroupMemberRecord] = []
        for try await (groupId, userId, addedAt) in try await connection.query(
            "SELECT group_id, user_id, added_at FROM nk_group_members ORDER BY group_id, user_id", logger: logger
        ).decode((Int64, Int64, Date).self) {
            members.append(GroupMemberRecord(groupId: groupId, userId: userId, addedAt: addedAt))
        }
        let versions = try await versions(
            connection, "SELECT \(unescaped: Self.versionColumns) FROM nk_versions ORDER BY seq")
        var history: [HistoryRecord] = []
        var supersededAt: [Date] = []
        for try await date in try await connection.query(
            "SELECT superseded_at FROM nk_history ORDER BY seq", logger: logger
        ).decode(Date.self) {
            supersededAt.append(date)
        }
        let superseded = try await self.versions(
            connection, "SELECT \(unescaped: Self.versionColumns) FROM nk_history ORDER BY seq")
        for (version, date) in zip(superseded, supersededAt) {
            history.append(HistoryRecord(version: version, supersededAt: date))
        }
        var importBases: [ImportBaseRecord] = []
        for try await (postId, vector) in try await connection.query(
            "SELECT post_id, vector FROM nk_import_bases ORDER BY post_id", logger: logger
        ).decode((String, String).self) {
            importBases.append(ImportBaseRecord(postId: postId, vector: vector))
        }
        return StoreContents(
            serverReplicaID: serverReplicaID.rawValue, lastSequence: try await latestSequence(connection),
            users: users, replicas: replicas, groups: groups, members: members, versions: versions,
            history: history, importBases: importBases)
    }

    public func importContents(_ contents: StoreContents) async throws {
        _ = try await write { [self] connection, numbers in
            var held = 0
            for try await count in try await connection.query(
                """
                SELECT (SELECT count(*) FROM nk_users) + (SELECT count(*) FROM nk_groups)
                    + (SELECT count(*) FROM nk_versions)
                """,
                logger: logger
            ).decode(Int64.self) {
                held = Int(count)
            }
            guard held == 0, numbers.last == 0 else {
                throw ServerError(.database, "the destination database is not empty; migrate into a new one")
            }
            try await connection.query(
                "UPDATE nk_meta SET value = \(contents.serverReplicaID) WHERE key = \(MetaRecord.serverReplicaIDKey)",
                logger: logger)
            for user in contents.users {
                try await connection.query(
                    """
                    INSERT INTO nk_users (id, name, token_hash, read_only, created_at, revoked_at)
                    VALUES (\(user.id), \(user.name), \(user.tokenHash), \(user.readOnly), \(user.createdAt),
                        \(user.revokedAt))
                    """,
                    logger: logger)
            }
            for replica in contents.replicas {
                try await connection.query(
                    """
                    INSERT INTO nk_replicas (id, user_id, first_seen_at, high_water)
                    VALUES (\(replica.id), \(replica.userId), \(replica.firstSeenAt), \(replica.highWater))
                    """,
                    logger: logger)
            }
            for group in contents.groups {
                try await connection.query(
                    "INSERT INTO nk_groups (id, name, created_at) VALUES (\(group.id), \(group.name), \(group.createdAt))",
                    logger: logger)
            }
            for member in contents.members {
                try await connection.query(
                    """
                    INSERT INTO nk_group_members (group_id, user_id, added_at)
                    VALUES (\(member.groupId), \(member.userId), \(member.addedAt))
                    """,
                    logger: logger)
            }
            for version in contents.versions {
                try await insert(connection, version)
            }
            for record in contents.history {
                try await insertHistory(connection, record)
            }
            for base in contents.importBases {
                try await connection.query(
                    "INSERT INTO nk_import_bases (post_id, vector) VALUES (\(base.postId), \(base.vector))",
                    logger: logger)
            }
            // New users and groups are numbered after the imported ones; the change sequence goes on
            // from the last number the old store gave.
            try await connection.query(
                "SELECT setval(pg_get_serial_sequence('nk_users', 'id'), (SELECT max(id) FROM nk_users))",
                logger: logger)
            try await connection.query(
                "SELECT setval(pg_get_serial_sequence('nk_groups', 'id'), (SELECT max(id) FROM nk_groups))",
                logger: logger)
            numbers.advance(to: contents.lastSequence)
        }
    }
}
