import Foundation
import GRDB
import NKProtocol

extension SQLiteStore {
    public func exportContents() async throws -> StoreContents {
        try await Self.wrap {
            try await pool.read { db in
                StoreContents(
                    serverReplicaID: serverReplicaID.rawValue,
                    lastSequence: try Self.latestSequence(db),
                    users: try UserRecord.order(Column("id")).fetchAll(db),
                    replicas: try ReplicaRecord.order(Column("id")).fetchAll(db),
                    groups: try GroupRecord.order(Column("id")).fetchAll(db),
                    members: try GroupMemberRecord.order(Column("groupId"), Column("userId")).fetchAll(db),
                    versions: try VersionRecord.order(VersionRecord.Columns.seq).fetchAll(db),
                    history: try Self.allHistory(db),
                    importBases: try ImportBaseRecord.order(Column("postId")).fetchAll(db))
            }
        }
    }

    public func importContents(_ contents: StoreContents) async throws {
        try await Self.wrap {
            try await pool.write { db in
                let held = try UserRecord.fetchCount(db) + GroupRecord.fetchCount(db) + VersionRecord.fetchCount(db)
                guard held == 0, try Self.latestSequence(db) == 0 else {
                    throw ServerError(.database, "the destination database is not empty; migrate into a new one")
                }
                try MetaRecord(key: MetaRecord.serverReplicaIDKey, value: contents.serverReplicaID).save(db)
                for var user in contents.users { try user.insert(db) }
                for replica in contents.replicas { try replica.insert(db) }
                for var group in contents.groups { try group.insert(db) }
                for member in contents.members { try member.insert(db) }
                for var version in contents.versions { try version.insert(db) }
                try Self.insertHistory(db, contents.history)
                for base in contents.importBases { try base.insert(db) }
                // The next version is numbered after the last one given, not after the last one held.
                try db.execute(
                    sql: "UPDATE sqlite_sequence SET seq = MAX(seq, ?) WHERE name = ?",
                    arguments: [contents.lastSequence, VersionRecord.databaseTableName])
                if try Self.latestSequence(db) < contents.lastSequence {
                    try db.execute(
                        sql: "INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)",
                        arguments: [VersionRecord.databaseTableName, contents.lastSequence])
                }
            }
        }
    }
}
