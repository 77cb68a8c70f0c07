import Foundation
import GRDB
import NKProtocol

extension SQLiteStore {
    /// Refuses, untouched, a database that a newer nkserver migrated.
    ///
    /// GRDB's migrator would skip the migrations it does not know and carry on, and this build
    /// would then write rows without the columns and tables a newer one relies on. The check reads
    /// through a read-only connection of its own, before the pool opens: opening a `DatabasePool`
    /// writes (GRDB creates and drops a table to give the WAL file some content), and the file must
    /// stay byte for byte as the newer nkserver left it.
    static func refuseNewerSchema(at path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else { return }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(10)
        let unknown = try DatabaseQueue(path: path, configuration: configuration).read { db in
            try migrator.appliedIdentifiers(db).subtracting(migrator.migrations).sorted()
        }
        if let first = unknown.first {
            throw ServerError(
                .database,
                "the database '\(path)' was written by a newer nkserver; upgrade nkserver (it has migration "
                    + "'\(first)', which this one does not know; nothing was changed)")
        }
    }

    /// Applies the migrations the database lacks. GRDB runs each in a transaction of its own and
    /// rolls back the one that fails (those before it stay applied, as a complete earlier schema),
    /// so a failure loses nothing: the error names the migration, in one line.
    static func migrate(_ pool: DatabasePool, path: String) throws {
        do {
            try migrator.migrate(pool)
        } catch {
            let applied = (try? pool.read { db in try migrator.appliedIdentifiers(db) }) ?? []
            let failed = migrator.migrations.first { !applied.contains($0) } ?? "?"
            let reason = (error as? DatabaseError)?.message ?? "\(error)"
            throw ServerError(
                .database,
                "cannot upgrade the database '\(path)': migration '\(failed)' failed (\(reason)); it was rolled "
                    + "back and the database still holds everything it held",
                underlying: error)
        }
    }

    /// The schema, one registered migration per version. Never edit a shipped migration: add one.
    ///
    /// A migration is history: it spells out its tables, columns and rows, and never uses an
    /// application type (a record's `databaseTableName`, its `insert`), so that changing the
    /// application can never change what an old migration does.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.create(table: "users") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("name", .text).notNull().unique()
                t.column("tokenHash", .text).notNull().unique()
                t.column("readOnly", .boolean).notNull().defaults(to: false)
                t.column("createdAt", .datetime).notNull()
                t.column("revokedAt", .datetime)
            }
            try db.create(table: "replicas") { t in
                t.primaryKey("id", .text)
                t.column("userId", .integer).notNull().references("users")
                t.column("firstSeenAt", .datetime).notNull()
            }
            try db.create(table: "versions") { t in
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
                index: "versions_on_record", on: "versions", columns: ["recordType", "recordId"])
            try db.create(table: "meta") { t in
                t.primaryKey("key", .text)
                t.column("value", .text).notNull()
            }
            try db.execute(
                sql: "INSERT INTO meta (key, value) VALUES ('serverReplicaID', ?)",
                arguments: ["server-" + ReplicaID.random().rawValue])
        }
        migrator.registerMigration("v2-groups") { db in
            try db.create(table: "groups") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("name", .text).notNull().unique()
                t.column("createdAt", .datetime).notNull()
            }
            try db.create(table: "groupMembers") { t in
                t.column("groupId", .integer).notNull()
                    .references("groups", onDelete: .cascade)
                t.column("userId", .integer).notNull().references("users")
                t.column("addedAt", .datetime).notNull()
                t.primaryKey(["groupId", "userId"])
            }
            try db.create(
                index: "versions_on_visibility", on: "versions", columns: ["visibility"])
        }
        // The users who could hold a version's record but cannot read the version (a JSON array of
        // names); NULL on the rows stored before it.
        migrator.registerMigration("v3-former-readers") { db in
            try db.execute(sql: "ALTER TABLE versions ADD COLUMN formerReaders TEXT")
        }
        migrator.registerMigration("v4-replica-high-water") { db in
            // The highest counter of each replica the server holds, kept by every push from now on;
            // for the versions already stored, read from their vectors in one pass.
            try db.execute(
                sql: """
                    ALTER TABLE replicas ADD COLUMN highWater INTEGER NOT NULL DEFAULT 0;
                    WITH held AS (
                        SELECT j.key AS id, MAX(CAST(j.value AS INTEGER)) AS highWater
                        FROM versions v, json_each(v.vectorJSON) j GROUP BY j.key)
                    UPDATE replicas SET highWater = (SELECT highWater FROM held WHERE held.id = replicas.id)
                    WHERE id IN (SELECT id FROM held);
                    """)
        }
        // History: the versions a newer one superseded, moved out of `versions` (never copied), and
        // the vector of the version of each post the server's import wrote last (docs/DESIGN.md,
        // "History" and "Imports respect corrections").
        migrator.registerMigration("v5-history") { db in
            try db.execute(
                sql: """
                    CREATE TABLE history (
                        seq INTEGER PRIMARY KEY,
                        recordType TEXT NOT NULL,
                        recordId TEXT NOT NULL,
                        vector TEXT NOT NULL,
                        vectorJSON TEXT NOT NULL,
                        deleted BOOLEAN NOT NULL,
                        editor TEXT,
                        author TEXT,
                        visibility TEXT,
                        postId TEXT,
                        body TEXT NOT NULL,
                        storedAt DATETIME NOT NULL,
                        formerReaders TEXT,
                        supersededAt DATETIME NOT NULL);
                    CREATE INDEX history_on_record ON history(recordType, recordId);
                    CREATE TABLE importBases (postId TEXT PRIMARY KEY NOT NULL, vector TEXT NOT NULL);
                    """)
        }
        return migrator
    }
}
