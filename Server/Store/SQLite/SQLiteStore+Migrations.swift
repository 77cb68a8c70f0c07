import Foundation
import GRDB
import NKProtocol

extension SQLiteStore {
    /// The schema, one registered migration per version. Never edit a shipped migration: add one.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.create(table: UserRecord.databaseTableName) { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("name", .text).notNull().unique()
                t.column("tokenHash", .text).notNull().unique()
                t.column("readOnly", .boolean).notNull().defaults(to: false)
                t.column("createdAt", .datetime).notNull()
                t.column("revokedAt", .datetime)
            }
            try db.create(table: ReplicaRecord.databaseTableName) { t in
                t.primaryKey("id", .text)
                t.column("userId", .integer).notNull().references(UserRecord.databaseTableName)
                t.column("firstSeenAt", .datetime).notNull()
            }
            try db.create(table: VersionRecord.databaseTableName) { t in
                t.autoIncrementedPrimaryKey("seq")
                t.column("recordType", .text).notNull()
                t.column("recordId", .text).notNull()
                t.column("vector", .text).notNull()
                t.column("vectorJSON", .text).notNull()
                t.column("deleted", .boolean).notNull()
                t.column("editor", .text)
                t.column("author", .text)
                t.column("visibility", .text)
                t.column("postId", .text)
                t.column("body", .text).notNull()
                t.column("storedAt", .datetime).notNull()
                t.uniqueKey(["recordType", "recordId", "vector"])
            }
            try db.create(
                index: "versions_on_record", on: VersionRecord.databaseTableName, columns: ["recordType", "recordId"])
            try db.create(table: MetaRecord.databaseTableName) { t in
                t.primaryKey("key", .text)
                t.column("value", .text).notNull()
            }
            try MetaRecord(key: MetaRecord.serverReplicaIDKey, value: "server-" + ReplicaID.random().rawValue)
                .insert(db)
        }
        migrator.registerMigration("v2-groups") { db in
            try db.create(table: GroupRecord.databaseTableName) { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("name", .text).notNull().unique()
                t.column("createdAt", .datetime).notNull()
            }
            try db.create(table: GroupMemberRecord.databaseTableName) { t in
                t.column("groupId", .integer).notNull()
                    .references(GroupRecord.databaseTableName, onDelete: .cascade)
                t.column("userId", .integer).notNull().references(UserRecord.databaseTableName)
                t.column("addedAt", .datetime).notNull()
                t.primaryKey(["groupId", "userId"])
            }
            try db.create(
                index: "versions_on_visibility", on: VersionRecord.databaseTableName, columns: ["visibility"])
        }
        // The users who could hold a version's record but cannot read the version (a JSON array of
        // names); NULL on the rows stored before it. Frozen: it names its table and column itself.
        migrator.registerMigration("v3-former-readers") { db in
            try db.execute(sql: "ALTER TABLE versions ADD COLUMN formerReaders TEXT")
        }
        return migrator
    }
}
