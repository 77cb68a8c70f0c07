import Foundation
import Logging
import NKProtocol
import PostgresNIO

/// The PostgreSQL schema, one migration per version, applied at start in one transaction under an
/// advisory lock, so two `nkserver` processes starting at once do not both apply one. Never edit a
/// shipped migration: add one. The tables mirror SQLite's (`SQLiteStore+Migrations.swift`), with
/// `nk_sequence` in place of `sqlite_sequence`; names and vectors sort bytewise (`COLLATE "C"`),
/// as SQLite's BINARY collation does, so both stores list siblings, users and groups in one order.
enum PostgresMigrations {
    static let migrations: [(id: String, sql: [String])] = [
        (
            "v1",
            [
                "CREATE TABLE nk_meta (key text PRIMARY KEY, value text NOT NULL)",
                "CREATE TABLE nk_sequence (id integer PRIMARY KEY CHECK (id = 1), last bigint NOT NULL)",
                "INSERT INTO nk_sequence (id, last) VALUES (1, 0)",
                """
                CREATE TABLE nk_users (
                    id bigserial PRIMARY KEY,
                    name text COLLATE "C" NOT NULL UNIQUE,
                    token_hash text NOT NULL UNIQUE,
                    read_only boolean NOT NULL DEFAULT false,
                    created_at timestamptz NOT NULL,
                    revoked_at timestamptz)
                """,
                """
                CREATE TABLE nk_replicas (
                    id text COLLATE "C" PRIMARY KEY,
                    user_id bigint NOT NULL REFERENCES nk_users (id),
                    first_seen_at timestamptz NOT NULL)
                """,
                """
                CREATE TABLE nk_versions (
                    seq bigint PRIMARY KEY,
                    record_type text NOT NULL,
                    record_id text COLLATE "C" NOT NULL,
                    vector text COLLATE "C" NOT NULL,
                    vector_json text NOT NULL,
                    deleted boolean NOT NULL,
                    editor text,
                    author text,
                    visibility text,
                    post_id text,
                    body text NOT NULL,
                    stored_at timestamptz NOT NULL,
                    UNIQUE (record_type, record_id, vector))
                """,
                "CREATE INDEX nk_versions_on_visibility ON nk_versions (visibility)",
                """
                CREATE TABLE nk_groups (
                    id bigserial PRIMARY KEY,
                    name text COLLATE "C" NOT NULL UNIQUE,
                    created_at timestamptz NOT NULL)
                """,
                """
                CREATE TABLE nk_group_members (
                    group_id bigint NOT NULL REFERENCES nk_groups (id) ON DELETE CASCADE,
                    user_id bigint NOT NULL REFERENCES nk_users (id),
                    added_at timestamptz NOT NULL,
                    PRIMARY KEY (group_id, user_id))
                """,
            ]
        ),
        // The users who could hold a version's record but cannot read the version (a JSON array of
        // names); NULL on the rows stored before it.
        ("v2-former-readers", ["ALTER TABLE nk_versions ADD COLUMN former_readers text"]),
        (
            // The highest counter of each replica the server holds (docs/DESIGN.md, "Own counters"),
            // kept by every push from now on; for the versions already stored, read from their vectors.
            "v3-replica-high-water",
            [
                "ALTER TABLE nk_replicas ADD COLUMN high_water bigint NOT NULL DEFAULT 0",
                """
                UPDATE nk_replicas r SET high_water = held.high_water
                FROM (
                    SELECT e.key AS id, MAX(e.value::bigint) AS high_water
                    FROM nk_versions v, jsonb_each_text(v.vector_json::jsonb) e GROUP BY e.key
                ) held
                WHERE held.id = r.id
                """,
            ]
        ),
        (
            // History: superseded versions, moved out of nk_versions; each post's import base.
            "v4-history",
            [
                """
                CREATE TABLE nk_history (
                    seq bigint PRIMARY KEY,
                    record_type text NOT NULL,
                    record_id text COLLATE "C" NOT NULL,
                    vector text COLLATE "C" NOT NULL,
                    vector_json text NOT NULL,
                    deleted boolean NOT NULL,
                    editor text,
                    author text,
                    visibility text,
                    post_id text,
                    body text NOT NULL,
                    stored_at timestamptz NOT NULL,
                    former_readers text,
                    superseded_at timestamptz NOT NULL)
                """,
                "CREATE INDEX nk_history_on_record ON nk_history (record_type, record_id)",
                "CREATE TABLE nk_import_bases (post_id text COLLATE \"C\" PRIMARY KEY, vector text NOT NULL)",
            ]
        ),
    ]

    /// Applies the migrations this database lacks and returns the server's replica id.
    static func migrate(_ connection: PostgresConnection, logger: Logger) async throws -> ReplicaID {
        try await connection.withTransaction(logger: logger) { connection in
            // One migrating process at a time; the lock ends with the transaction.
            try await connection.query("SELECT pg_advisory_xact_lock(7358201)", logger: logger)
            try await connection.query(
                "CREATE TABLE IF NOT EXISTS nk_schema_migrations (id text PRIMARY KEY, applied_at timestamptz NOT NULL)",
                logger: logger)
            var applied: Set<String> = []
            for try await id in try await connection.query("SELECT id FROM nk_schema_migrations", logger: logger)
                .decode(String.self)
            {
                applied.insert(id)
            }
            let known = Set(migrations.map(\.id))
            if let unknown = applied.subtracting(known).sorted().first {
                throw ServerError(
                    .database,
                    "the database has migration '\(unknown)', which this nkserver does not know: it was made by a newer one"
                )
            }
            for migration in migrations where !applied.contains(migration.id) {
                for statement in migration.sql {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                if migration.id == "v1" {
                    let id = "server-" + ReplicaID.random().rawValue
                    try await connection.query(
                        "INSERT INTO nk_meta (key, value) VALUES ('serverReplicaID', \(id))",
                        logger: logger)
                }
                try await connection.query(
                    "INSERT INTO nk_schema_migrations (id, applied_at) VALUES (\(migration.id), \(Date()))",
                    logger: logger)
                logger.info("applied PostgreSQL migration \(migration.id)")
            }
            var replicaID: String?
            for try await value in try await connection.query(
                "SELECT value FROM nk_meta WHERE key = \(MetaRecord.serverReplicaIDKey)", logger: logger
            ).decode(String.self) {
                replicaID = value
            }
            guard let replicaID else {
                throw ServerError(.database, "the database has no server replica id; is it an nkserver database?")
            }
            return ReplicaID(replicaID)
        }
    }
}
