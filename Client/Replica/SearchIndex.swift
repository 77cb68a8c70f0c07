import GRDB

/// The full-text index of the replica (SQLite FTS5), kept in step with the `versions` table by
/// triggers, so every local edit, import and pulled change is searchable in the same transaction.
///
/// `search_rows` gives each indexed version a stable integer key (an `INTEGER PRIMARY KEY`, which
/// `VACUUM` never renumbers); `search` is the FTS5 table whose rowid is that key. Only non-deleted
/// versions are indexed; a record with siblings has one row per sibling.
enum SearchIndex {
    /// The indexed columns, in order: bm25 weights below follow it.
    static let columns = ["title", "body", "source", "note", "tags", "quote"]

    /// bm25 weights of ``columns``: a hit in a title or a tag counts more than one in a body.
    static let weights = "10.0, 1.0, 2.0, 4.0, 6.0, 2.0"

    /// The values of ``columns`` for a row of `versions` named `row` (`NEW`, or a table alias), from
    /// its body JSON.
    static func values(of row: String) -> String {
        """
        CASE \(row).recordType WHEN 'post' THEN json_extract(\(row).body, '$.title') END,
        CASE \(row).recordType WHEN 'post' THEN
            coalesce(json_extract(\(row).body, '$.editorNote') || char(10), '')
                || coalesce((SELECT group_concat(value, char(10)) FROM json_each(\(row).body, '$.body')), '')
        END,
        CASE \(row).recordType WHEN 'post' THEN json_extract(\(row).body, '$.source') END,
        CASE \(row).recordType WHEN 'annotation' THEN json_extract(\(row).body, '$.note') END,
        CASE \(row).recordType WHEN 'annotation' THEN
            (SELECT group_concat(value, ' ') FROM json_each(\(row).body, '$.tags'))
        END,
        CASE \(row).recordType WHEN 'annotation' THEN json_extract(\(row).body, '$.anchor.exact') END
        """
    }

    /// Adds the index row of the version `row` (which must not be deleted).
    static func insert(_ row: String) -> String {
        """
        INSERT INTO search_rows (recordType, recordId, vector) VALUES (\(row).recordType, \(row).recordId, \(row).vector);
        INSERT INTO search (rowid, \(columns.joined(separator: ", ")))
            VALUES (last_insert_rowid(), \(values(of: row)));
        """
    }

    /// Removes the index row of the version with `row`'s key, if any.
    static func remove(_ row: String) -> String {
        """
        DELETE FROM search WHERE rowid IN (
            SELECT id FROM search_rows
            WHERE recordType = \(row).recordType AND recordId = \(row).recordId AND vector = \(row).vector);
        DELETE FROM search_rows
            WHERE recordType = \(row).recordType AND recordId = \(row).recordId AND vector = \(row).vector;
        """
    }

    /// Creates the tables and triggers and indexes every non-deleted version already held.
    static func create(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE search_rows (
                    id INTEGER PRIMARY KEY,
                    recordType TEXT NOT NULL,
                    recordId TEXT NOT NULL,
                    vector TEXT NOT NULL,
                    UNIQUE (recordType, recordId, vector)
                );
                CREATE VIRTUAL TABLE search USING fts5(
                    \(columns.joined(separator: ", ")),
                    tokenize = 'unicode61 remove_diacritics 2'
                );
                -- INSERT OR REPLACE deletes the replaced row without firing delete triggers (unless
                -- recursive triggers are on), so every insert first removes the row of the same key.
                CREATE TRIGGER versions_search_before_insert BEFORE INSERT ON versions BEGIN
                    \(remove("NEW"))
                END;
                CREATE TRIGGER versions_search_after_insert AFTER INSERT ON versions WHEN NEW.deleted = 0 BEGIN
                    \(insert("NEW"))
                END;
                CREATE TRIGGER versions_search_after_delete AFTER DELETE ON versions BEGIN
                    \(remove("OLD"))
                END;
                CREATE TRIGGER versions_search_after_update
                AFTER UPDATE OF recordType, recordId, vector, deleted, body ON versions BEGIN
                    \(remove("OLD"))
                    INSERT INTO search_rows (recordType, recordId, vector)
                        SELECT NEW.recordType, NEW.recordId, NEW.vector WHERE NEW.deleted = 0;
                    INSERT INTO search (rowid, \(columns.joined(separator: ", ")))
                        SELECT last_insert_rowid(), \(values(of: "NEW")) WHERE NEW.deleted = 0;
                END;
                INSERT INTO search_rows (recordType, recordId, vector)
                    SELECT recordType, recordId, vector FROM versions WHERE deleted = 0;
                INSERT INTO search (rowid, \(columns.joined(separator: ", ")))
                    SELECT r.id, \(values(of: "v"))
                    FROM search_rows r
                    JOIN versions v ON v.recordType = r.recordType AND v.recordId = r.recordId AND v.vector = r.vector;
                """)
    }
}
