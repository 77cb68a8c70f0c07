import Foundation
import GRDB
import NKProtocol

extension SQLiteStore {
    /// Adds an empty group.
    ///
    /// - Throws: ``ServerError`` `invalid_group_name` or `group_exists`.
    public func addGroup(name: String) async throws {
        try AccountNames.checkGroup(name)
        try await Self.wrap {
            try await pool.write { db in
                if try GroupRecord.filter(GroupRecord.Columns.name == name).fetchCount(db) > 0 {
                    throw ServerError(.groupExists, "a group named '\(name)' already exists")
                }
                var group = GroupRecord(id: nil, name: name, createdAt: Date())
                try group.insert(db)
            }
        }
    }

    /// Adds a user to a group and re-announces the group's annotations, so the user's next pull
    /// brings them.
    ///
    /// - Returns: how many versions were re-announced.
    /// - Throws: ``ServerError`` `unknown_group`, `unknown_user` or `already_member`.
    @discardableResult
    public func addMember(group: String, user: String) async throws -> Int {
        try AccountNames.checkGroup(group)
        try AccountNames.checkUser(user)
        let count = try await Self.wrap {
            try await pool.write { db in
                let (groupId, userId) = try Self.groupAndUser(db, group: group, user: user)
                if try GroupMemberRecord.fetchOne(db, key: ["groupId": groupId, "userId": userId]) != nil {
                    throw ServerError(.alreadyMember, "user '\(user)' is already a member of group '\(group)'")
                }
                try GroupMemberRecord(groupId: groupId, userId: userId, addedAt: Date()).insert(db)
                return try Self.reannounce(db, group: group, removed: nil)
            }
        }
        await changeNotifier.announce()
        return count
    }

    /// Removes a user from a group and re-announces the group's annotations, so the user's next
    /// pull gets them as hidden and drops them.
    ///
    /// - Returns: how many versions were re-announced.
    /// - Throws: ``ServerError`` `unknown_group`, `unknown_user` or `not_member`.
    @discardableResult
    public func removeMember(group: String, user: String) async throws -> Int {
        try AccountNames.checkGroup(group)
        try AccountNames.checkUser(user)
        let count = try await Self.wrap {
            try await pool.write { db in
                let (groupId, userId) = try Self.groupAndUser(db, group: group, user: user)
                guard try GroupMemberRecord.deleteOne(db, key: ["groupId": groupId, "userId": userId]) else {
                    throw ServerError(.notMember, "user '\(user)' is not a member of group '\(group)'")
                }
                return try Self.reannounce(db, group: group, removed: user)
            }
        }
        await changeNotifier.announce()
        return count
    }

    /// Every group with its members, by name.
    public func groups() async throws -> [GroupSummary] {
        try await Self.wrap {
            try await pool.read { db in
                let groups = try GroupRecord.order(GroupRecord.Columns.name).fetchAll(db)
                return try groups.map { group in
                    let members = try String.fetchAll(
                        db,
                        sql: """
                            SELECT u.name FROM \(UserRecord.databaseTableName) u
                            JOIN \(GroupMemberRecord.databaseTableName) m ON m.userId = u.id
                            WHERE m.groupId = ? ORDER BY u.name
                            """,
                        arguments: [group.id])
                    return GroupSummary(name: group.name, members: members)
                }
            }
        }
    }

    private static func groupAndUser(_ db: Database, group: String, user: String) throws -> (Int64, Int64) {
        guard let groupId = try GroupRecord.filter(GroupRecord.Columns.name == group).fetchOne(db)?.id else {
            throw ServerError(.unknownGroup, "there is no group named '\(group)'")
        }
        guard let userId = try UserRecord.filter(UserRecord.Columns.name == user).fetchOne(db)?.id else {
            throw ServerError(.unknownUser, "there is no user named '\(user)'")
        }
        return (groupId, userId)
    }

    /// The names of a group's members.
    static func members(_ db: Database, group: String) throws -> Set<String> {
        Set(
            try String.fetchAll(
                db,
                sql: """
                    SELECT u.name FROM \(UserRecord.databaseTableName) u
                    JOIN \(GroupMemberRecord.databaseTableName) m ON m.userId = u.id
                    JOIN \(GroupRecord.databaseTableName) g ON g.id = m.groupId
                    WHERE g.name = ?
                    """,
                arguments: [group]))
    }

    /// Gives every current version visible to `group:NAME` a new sequence number, so every replica
    /// pulls it again: members get the record, former readers get it hidden. The old numbers
    /// disappear, which keeps the sequence monotonic for every cursor. A `removed` member becomes a
    /// former reader of each version they can no longer read (all but their own).
    static func reannounce(_ db: Database, group: String, removed: String?) throws -> Int {
        let rows =
            try VersionRecord
            .filter(VersionRecord.Columns.visibility == Visibility.group(group).rawValue)
            .order(VersionRecord.Columns.seq)
            .fetchAll(db)
        for row in rows {
            var copy = row
            copy.seq = nil
            copy.formerReaders = try row.addingFormerReader(removed)
            try row.delete(db)
            try copy.insert(db)
        }
        return rows.count
    }
}
