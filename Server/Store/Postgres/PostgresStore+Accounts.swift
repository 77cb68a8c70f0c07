import Foundation
import NKProtocol
import PostgresNIO

extension PostgresStore {
    public func addUser(name: String, readOnly: Bool) async throws -> String {
        try AccountNames.checkUser(name)
        let token = Token.generate()
        let hash = Token.hash(token)
        _ = try await write { [self] connection, _ in
            if try await userID(connection, name: name) != nil {
                throw ServerError(.userExists, "a user named '\(name)' already exists")
            }
            try await connection.query(
                """
                INSERT INTO nk_users (name, token_hash, read_only, created_at)
                VALUES (\(name), \(hash), \(readOnly), \(Date()))
                """,
                logger: logger)
        }
        return token
    }

    public func users() async throws -> [UserSummary] {
        try await read { [self] connection in
            var users: [UserSummary] = []
            let rows = try await connection.query(
                "SELECT name, read_only, created_at, revoked_at FROM nk_users ORDER BY name", logger: logger)
            for try await (name, readOnly, createdAt, revokedAt) in rows.decode((String, Bool, Date, Date?).self) {
                users.append(UserSummary(name: name, readOnly: readOnly, createdAt: createdAt, revokedAt: revokedAt))
            }
            return users
        }
    }

    @discardableResult
    public func revokeUser(name: String) async throws -> Bool {
        try AccountNames.checkUser(name)
        return try await write { [self] connection, _ in
            var found = false
            var revoked = false
            for try await revokedAt in try await connection.query(
                "SELECT revoked_at FROM nk_users WHERE name = \(name) FOR UPDATE", logger: logger
            ).decode(Date?.self) {
                found = true
                revoked = revokedAt != nil
            }
            guard found else { throw ServerError(.unknownUser, "there is no user named '\(name)'") }
            guard !revoked else { return false }
            try await connection.query(
                "UPDATE nk_users SET revoked_at = \(Date()) WHERE name = \(name)", logger: logger)
            return true
        }.result
    }

    public func rotateToken(name: String) async throws -> String {
        try AccountNames.checkUser(name)
        let token = Token.generate()
        _ = try await write { [self] connection, _ in
            guard try await userID(connection, name: name) != nil else {
                throw ServerError(.unknownUser, "there is no user named '\(name)'")
            }
            try await connection.query(
                "UPDATE nk_users SET token_hash = \(Token.hash(token)), revoked_at = NULL WHERE name = \(name)",
                logger: logger)
        }
        return token
    }

    public func authenticate(token: String) async throws -> AuthenticatedUser? {
        let hash = Token.hash(token)
        return try await read { [self] connection in
            var user: AuthenticatedUser?
            let rows = try await connection.query(
                "SELECT id, name, read_only FROM nk_users WHERE token_hash = \(hash) AND revoked_at IS NULL",
                logger: logger)
            for try await (id, name, readOnly) in rows.decode((Int64, String, Bool).self) {
                user = AuthenticatedUser(id: id, name: name, readOnly: readOnly)
            }
            return user
        }
    }

    public func addGroup(name: String) async throws {
        try AccountNames.checkGroup(name)
        _ = try await write { [self] connection, _ in
            if try await groupID(connection, name: name) != nil {
                throw ServerError(.groupExists, "a group named '\(name)' already exists")
            }
            try await connection.query(
                "INSERT INTO nk_groups (name, created_at) VALUES (\(name), \(Date()))", logger: logger)
        }
    }

    @discardableResult
    public func addMember(group: String, user: String) async throws -> Int {
        try AccountNames.checkGroup(group)
        try AccountNames.checkUser(user)
        let (count, _) = try await write { [self] connection, numbers in
            let (groupId, userId) = try await groupAndUser(connection, group: group, user: user)
            var member = false
            for try await _ in try await connection.query(
                "SELECT 1 FROM nk_group_members WHERE group_id = \(groupId) AND user_id = \(userId)", logger: logger
            ).decode(Int32.self) {
                member = true
            }
            guard !member else {
                throw ServerError(.alreadyMember, "user '\(user)' is already a member of group '\(group)'")
            }
            try await connection.query(
                "INSERT INTO nk_group_members (group_id, user_id, added_at) VALUES (\(groupId), \(userId), \(Date()))",
                logger: logger)
            return try await reannounce(connection, group: group, removed: nil, numbers: numbers)
        }
        await changeNotifier.announce()
        return count
    }

    @discardableResult
    public func removeMember(group: String, user: String) async throws -> Int {
        try AccountNames.checkGroup(group)
        try AccountNames.checkUser(user)
        let (count, _) = try await write { [self] connection, numbers in
            let (groupId, userId) = try await groupAndUser(connection, group: group, user: user)
            var removed = false
            for try await _ in try await connection.query(
                "DELETE FROM nk_group_members WHERE group_id = \(groupId) AND user_id = \(userId) RETURNING 1",
                logger: logger
            ).decode(Int32.self) {
                removed = true
            }
            guard removed else {
                throw ServerError(.notMember, "user '\(user)' is not a member of group '\(group)'")
            }
            return try await reannounce(connection, group: group, removed: user, numbers: numbers)
        }
        await changeNotifier.announce()
        return count
    }

    public func groups() async throws -> [GroupSummary] {
        try await read { [self] connection in
            var groups: [GroupSummary] = []
            let rows = try await connection.query(
                """
                SELECT g.name, u.name FROM nk_groups g
                LEFT JOIN nk_group_members m ON m.group_id = g.id LEFT JOIN nk_users u ON u.id = m.user_id
                ORDER BY g.name, u.name
                """,
                logger: logger)
            for try await (group, member) in rows.decode((String, String?).self) {
                if groups.last?.name != group { groups.append(GroupSummary(name: group, members: [])) }
                if let member { groups[groups.count - 1].members.append(member) }
            }
            return groups
        }
    }

    func userID(_ connection: PostgresConnection, name: String) async throws -> Int64? {
        var id: Int64?
        for try await value in try await connection.query(
            "SELECT id FROM nk_users WHERE name = \(name)", logger: logger
        )
        .decode(Int64.self) {
            id = value
        }
        return id
    }

    func groupID(_ connection: PostgresConnection, name: String) async throws -> Int64? {
        var id: Int64?
        for try await value in try await connection.query(
            "SELECT id FROM nk_groups WHERE name = \(name)", logger: logger
        ).decode(Int64.self) {
            id = value
        }
        return id
    }

    private func groupAndUser(_ connection: PostgresConnection, group: String, user: String) async throws -> (
        Int64, Int64
    ) {
        guard let groupId = try await groupID(connection, name: group) else {
            throw ServerError(.unknownGroup, "there is no group named '\(group)'")
        }
        guard let userId = try await userID(connection, name: user) else {
            throw ServerError(.unknownUser, "there is no user named '\(user)'")
        }
        return (groupId, userId)
    }

    /// Gives every current version visible to `group:NAME` a new sequence number, so every replica
    /// pulls it again: members get the record, former readers get it hidden. A `removed` member
    /// becomes a former reader of each version they can no longer read (all but their own).
    private func reannounce(
        _ connection: PostgresConnection, group: String, removed: String?, numbers: SequenceNumbers
    ) async throws -> Int {
        let rows = try await versions(
            connection,
            """
            SELECT \(unescaped: Self.versionColumns) FROM nk_versions
            WHERE visibility = \(Visibility.group(group).rawValue) ORDER BY seq
            """)
        for row in rows {
            let formerReaders = try row.addingFormerReader(removed)
            try await connection.query(
                """
                UPDATE nk_versions SET seq = \(numbers.next()), former_readers = \(formerReaders)
                WHERE seq = \(row.seq ?? -1)
                """,
                logger: logger)
        }
        return rows.count
    }
}
