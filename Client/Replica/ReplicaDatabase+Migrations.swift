import GRDB

extension ReplicaDatabase {
    /// The replica's schema, one registered migration per version. Never edit a shipped migration:
    /// add one.
    ///
    /// A migration is history: it spells out its SQL and never calls application code (the search
    /// index's column list, a record type), so that changing the application can never change what
    /// an old migration does, nor the schema of a replica made with it.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            // The frontier of every record; pending = 1 is the outbox.
            try db.execute(
                sql: """
                    CREATE TABLE versions (
                        recordType TEXT NOT NULL,
                        recordId TEXT NOT NULL,
                        vector TEXT NOT NULL,
                        vectorJSON TEXT NOT NULL,
                        deleted INTEGER NOT NULL DEFAULT 0,
                        editor TEXT,
                        postId TEXT,
                        body TEXT NOT NULL,
                        pending INTEGER NOT NULL DEFAULT 0,
                        PRIMARY KEY (recordType, recordId, vector)
                    );
                    CREATE INDEX versions_pending ON versions(pending, recordType);
                    CREATE INDEX versions_post ON versions(postId);
                    CREATE TABLE state (
                        key TEXT PRIMARY KEY NOT NULL,
                        value TEXT NOT NULL
                    );
                    CREATE TABLE rejected (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        recordType TEXT NOT NULL,
                        recordId TEXT NOT NULL,
                        vector TEXT NOT NULL,
                        vectorJSON TEXT NOT NULL,
                        deleted INTEGER NOT NULL,
                        body TEXT NOT NULL,
                        code TEXT NOT NULL,
                        message TEXT NOT NULL,
                        rejectedAt TEXT NOT NULL
                    );
                    -- Records whose pushed version was rejected: fetched again before the next pull.
                    CREATE TABLE refetch (
                        recordType TEXT NOT NULL,
                        recordId TEXT NOT NULL,
                        PRIMARY KEY (recordType, recordId)
                    );
                    """)
        }
        migrator.registerMigration("v2-search") { db in
            // The full-text index over posts and notes (SearchIndex.swift), kept in step by triggers:
            // `search_rows` gives each indexed version a stable integer key (an INTEGER PRIMARY KEY,
            // which VACUUM never renumbers), `search` is the FTS5 table whose rowid is that key, and
            // every version already held is indexed. As it shipped, its SQL written out: SQLite keeps
            // a trigger's text as it was written, so not one character of it may change.
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
                        title, body, source, note, tags, quote,
                        tokenize = 'unicode61 remove_diacritics 2'
                    );
                    -- INSERT OR REPLACE deletes the replaced row without firing delete triggers (unless
                    -- recursive triggers are on), so every insert first removes the row of the same key.
                    CREATE TRIGGER versions_search_before_insert BEFORE INSERT ON versions BEGIN
                        DELETE FROM search WHERE rowid IN (
                        SELECT id FROM search_rows
                        WHERE recordType = NEW.recordType AND recordId = NEW.recordId AND vector = NEW.vector);
                    DELETE FROM search_rows
                        WHERE recordType = NEW.recordType AND recordId = NEW.recordId AND vector = NEW.vector;
                    END;
                    CREATE TRIGGER versions_search_after_insert AFTER INSERT ON versions WHEN NEW.deleted = 0 BEGIN
                        INSERT INTO search_rows (recordType, recordId, vector) VALUES (NEW.recordType, NEW.recordId, NEW.vector);
                    INSERT INTO search (rowid, title, body, source, note, tags, quote)
                        VALUES (last_insert_rowid(), CASE NEW.recordType WHEN 'post' THEN json_extract(NEW.body, '$.title') END,
                    CASE NEW.recordType WHEN 'post' THEN
                        coalesce(json_extract(NEW.body, '$.editorNote') || char(10), '')
                            || coalesce((SELECT group_concat(value, char(10)) FROM json_each(NEW.body, '$.body')), '')
                    END,
                    CASE NEW.recordType WHEN 'post' THEN json_extract(NEW.body, '$.source') END,
                    CASE NEW.recordType WHEN 'annotation' THEN json_extract(NEW.body, '$.note') END,
                    CASE NEW.recordType WHEN 'annotation' THEN
                        (SELECT group_concat(value, ' ') FROM json_each(NEW.body, '$.tags'))
                    END,
                    CASE NEW.recordType WHEN 'annotation' THEN json_extract(NEW.body, '$.anchor.exact') END);
                    END;
                    CREATE TRIGGER versions_search_after_delete AFTER DELETE ON versions BEGIN
                        DELETE FROM search WHERE rowid IN (
                        SELECT id FROM search_rows
                        WHERE recordType = OLD.recordType AND recordId = OLD.recordId AND vector = OLD.vector);
                    DELETE FROM search_rows
                        WHERE recordType = OLD.recordType AND recordId = OLD.recordId AND vector = OLD.vector;
                    END;
                    CREATE TRIGGER versions_search_after_update
                    AFTER UPDATE OF recordType, recordId, vector, deleted, body ON versions BEGIN
                        DELETE FROM search WHERE rowid IN (
                        SELECT id FROM search_rows
                        WHERE recordType = OLD.recordType AND recordId = OLD.recordId AND vector = OLD.vector);
                    DELETE FROM search_rows
                        WHERE recordType = OLD.recordType AND recordId = OLD.recordId AND vector = OLD.vector;
                        INSERT INTO search_rows (recordType, recordId, vector)
                            SELECT NEW.recordType, NEW.recordId, NEW.vector WHERE NEW.deleted = 0;
                        INSERT INTO search (rowid, title, body, source, note, tags, quote)
                            SELECT last_insert_rowid(), CASE NEW.recordType WHEN 'post' THEN json_extract(NEW.body, '$.title') END,
                    CASE NEW.recordType WHEN 'post' THEN
                        coalesce(json_extract(NEW.body, '$.editorNote') || char(10), '')
                            || coalesce((SELECT group_concat(value, char(10)) FROM json_each(NEW.body, '$.body')), '')
                    END,
                    CASE NEW.recordType WHEN 'post' THEN json_extract(NEW.body, '$.source') END,
                    CASE NEW.recordType WHEN 'annotation' THEN json_extract(NEW.body, '$.note') END,
                    CASE NEW.recordType WHEN 'annotation' THEN
                        (SELECT group_concat(value, ' ') FROM json_each(NEW.body, '$.tags'))
                    END,
                    CASE NEW.recordType WHEN 'annotation' THEN json_extract(NEW.body, '$.anchor.exact') END WHERE NEW.deleted = 0;
                    END;
                    INSERT INTO search_rows (recordType, recordId, vector)
                        SELECT recordType, recordId, vector FROM versions WHERE deleted = 0;
                    INSERT INTO search (rowid, title, body, source, note, tags, quote)
                        SELECT r.id, CASE v.recordType WHEN 'post' THEN json_extract(v.body, '$.title') END,
                    CASE v.recordType WHEN 'post' THEN
                        coalesce(json_extract(v.body, '$.editorNote') || char(10), '')
                            || coalesce((SELECT group_concat(value, char(10)) FROM json_each(v.body, '$.body')), '')
                    END,
                    CASE v.recordType WHEN 'post' THEN json_extract(v.body, '$.source') END,
                    CASE v.recordType WHEN 'annotation' THEN json_extract(v.body, '$.note') END,
                    CASE v.recordType WHEN 'annotation' THEN
                        (SELECT group_concat(value, ' ') FROM json_each(v.body, '$.tags'))
                    END,
                    CASE v.recordType WHEN 'annotation' THEN json_extract(v.body, '$.anchor.exact') END
                        FROM search_rows r
                        JOIN versions v ON v.recordType = r.recordType AND v.recordId = r.recordId AND v.vector = r.vector;
                    """)
        }
        migrator.registerMigration("v3-sync-log") { db in
            // What each pull brought in, for nkclient log (SyncLog.swift).
            try db.execute(
                sql: """
                    CREATE TABLE sync_log (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        at TEXT NOT NULL,
                        syncId TEXT NOT NULL,
                        action TEXT NOT NULL,
                        recordType TEXT NOT NULL,
                        recordId TEXT NOT NULL,
                        postId TEXT,
                        title TEXT,
                        editor TEXT,
                        excerpt TEXT
                    );
                    """)
        }
        migrator.registerMigration("v4-conflicted") { db in
            // The records held with more than one version, kept by triggers so that counting
            // conflicts after every sync costs an index lookup, not a scan of every version.
            // (INSERT OR REPLACE of a held version does not change its record's count, so the
            // replace's implicit delete needs no trigger.)
            try db.execute(
                sql: """
                    CREATE TABLE conflicted (
                        recordType TEXT NOT NULL,
                        recordId TEXT NOT NULL,
                        PRIMARY KEY (recordType, recordId)
                    ) WITHOUT ROWID;
                    CREATE TRIGGER versions_conflicted_insert AFTER INSERT ON versions BEGIN
                        INSERT OR IGNORE INTO conflicted (recordType, recordId)
                        SELECT NEW.recordType, NEW.recordId
                        WHERE (SELECT COUNT(*) FROM versions
                               WHERE recordType = NEW.recordType AND recordId = NEW.recordId) > 1;
                    END;
                    CREATE TRIGGER versions_conflicted_delete AFTER DELETE ON versions BEGIN
                        DELETE FROM conflicted
                        WHERE recordType = OLD.recordType AND recordId = OLD.recordId
                          AND (SELECT COUNT(*) FROM versions
                               WHERE recordType = OLD.recordType AND recordId = OLD.recordId) <= 1;
                    END;
                    INSERT INTO conflicted (recordType, recordId)
                    SELECT recordType, recordId FROM versions GROUP BY recordType, recordId HAVING COUNT(*) > 1;
                    """)
        }
        migrator.registerMigration("v5-history") { db in
            // The versions a newer one superseded, moved out of `versions` (`nkclient history`
            // offline), and the vector of the version of each post this replica imported last.
            try db.execute(
                sql: """
                    CREATE TABLE history (
                        recordType TEXT NOT NULL,
                        recordId TEXT NOT NULL,
                        vector TEXT NOT NULL,
                        vectorJSON TEXT NOT NULL,
                        deleted INTEGER NOT NULL DEFAULT 0,
                        editor TEXT,
                        postId TEXT,
                        body TEXT NOT NULL,
                        supersededAt TEXT NOT NULL,
                        PRIMARY KEY (recordType, recordId, vector)
                    ) WITHOUT ROWID;
                    CREATE TABLE import_base (
                        postId TEXT PRIMARY KEY NOT NULL,
                        vector TEXT NOT NULL
                    );
                    """)
        }
        migrator.registerMigration("v5-rejected-settled") { db in
            // A rejected local version stays the user's until they settle it: `settled` is NULL while it
            // is outstanding (listed by `nkclient rejected`, shown in notes, read and search), then
            // 'edited' (a local edit replaced it), 'discarded' (nkclient discard) or 'superseded' (a
            // later rejection of the same record, for rows kept before this migration). Outstanding
            // rejected notes are in the full-text index under the vector 'rejected:ID' (ID the row's),
            // which no held version has, so the triggers of `versions` never touch their rows.
            try db.execute(
                sql: """
                    ALTER TABLE rejected ADD COLUMN settled TEXT;
                    ALTER TABLE rejected ADD COLUMN settledAt TEXT;
                    CREATE INDEX rejected_record ON rejected(recordType, recordId);
                    UPDATE rejected SET settled = 'superseded', settledAt = rejectedAt
                    WHERE EXISTS (SELECT 1 FROM rejected later WHERE later.recordType = rejected.recordType
                                  AND later.recordId = rejected.recordId AND later.id > rejected.id);
                    CREATE TRIGGER rejected_search_after_insert AFTER INSERT ON rejected
                    WHEN NEW.recordType = 'annotation' AND NEW.deleted = 0 AND NEW.settled IS NULL BEGIN
                        INSERT INTO search_rows (recordType, recordId, vector)
                            VALUES ('annotation', NEW.recordId, 'rejected:' || NEW.id);
                        INSERT INTO search (rowid, title, body, source, note, tags, quote)
                            VALUES (last_insert_rowid(), NULL, NULL, NULL, json_extract(NEW.body, '$.note'),
                                (SELECT group_concat(value, ' ') FROM json_each(NEW.body, '$.tags')),
                                json_extract(NEW.body, '$.anchor.exact'));
                    END;
                    CREATE TRIGGER rejected_search_after_settle AFTER UPDATE OF settled ON rejected
                    WHEN NEW.settled IS NOT NULL BEGIN
                        DELETE FROM search WHERE rowid IN (
                            SELECT id FROM search_rows
                            WHERE recordType = 'annotation' AND recordId = OLD.recordId AND vector = 'rejected:' || OLD.id);
                        DELETE FROM search_rows
                            WHERE recordType = 'annotation' AND recordId = OLD.recordId AND vector = 'rejected:' || OLD.id;
                    END;
                    INSERT INTO search_rows (recordType, recordId, vector)
                        SELECT 'annotation', recordId, 'rejected:' || id FROM rejected
                        WHERE recordType = 'annotation' AND deleted = 0 AND settled IS NULL;
                    INSERT INTO search (rowid, title, body, source, note, tags, quote)
                        SELECT r.id, NULL, NULL, NULL, json_extract(j.body, '$.note'),
                            (SELECT group_concat(value, ' ') FROM json_each(j.body, '$.tags')),
                            json_extract(j.body, '$.anchor.exact')
                        FROM search_rows r JOIN rejected j ON r.vector = 'rejected:' || j.id AND r.recordId = j.recordId
                        WHERE r.recordType = 'annotation';
                    """)
        }
        migrator.registerMigration("v6-search-fold") { db in
            // The index stems English words (porter over unicode61, diacritics removed), so that
            // "sanction" finds "sanctions". FTS5 fixes the tokenizer when the table is made: the table
            // is made again, under the same name and columns (the triggers of v2-search and
            // v5-rejected-settled write to it by name), and filled from the versions held, as v2-search
            // filled it, and from the outstanding rejected notes, as v5-rejected-settled did.
            try db.execute(
                sql: """
                    DROP TABLE search;
                    CREATE VIRTUAL TABLE search USING fts5(
                        title, body, source, note, tags, quote,
                        tokenize = 'porter unicode61 remove_diacritics 2'
                    );
                    INSERT INTO search (rowid, title, body, source, note, tags, quote)
                        SELECT r.id, CASE v.recordType WHEN 'post' THEN json_extract(v.body, '$.title') END,
                    CASE v.recordType WHEN 'post' THEN
                        coalesce(json_extract(v.body, '$.editorNote') || char(10), '')
                            || coalesce((SELECT group_concat(value, char(10)) FROM json_each(v.body, '$.body')), '')
                    END,
                    CASE v.recordType WHEN 'post' THEN json_extract(v.body, '$.source') END,
                    CASE v.recordType WHEN 'annotation' THEN json_extract(v.body, '$.note') END,
                    CASE v.recordType WHEN 'annotation' THEN
                        (SELECT group_concat(value, ' ') FROM json_each(v.body, '$.tags'))
                    END,
                    CASE v.recordType WHEN 'annotation' THEN json_extract(v.body, '$.anchor.exact') END
                        FROM search_rows r
                        JOIN versions v ON v.recordType = r.recordType AND v.recordId = r.recordId AND v.vector = r.vector;
                    INSERT INTO search (rowid, title, body, source, note, tags, quote)
                        SELECT r.id, NULL, NULL, NULL, json_extract(j.body, '$.note'),
                            (SELECT group_concat(value, ' ') FROM json_each(j.body, '$.tags')),
                            json_extract(j.body, '$.anchor.exact')
                        FROM search_rows r JOIN rejected j ON r.vector = 'rejected:' || j.id AND r.recordId = j.recordId
                        WHERE r.recordType = 'annotation';
                    """)
        }
        migrator.registerMigration("v6-post-order") { db in
            // The order in which the replica first saw each post: the order of the corpus files, as
            // imported here or on the server (a pull applies the server's changes in its order). A
            // corrected post keeps its place: only its first version takes a number (NOT EXISTS, not
            // INSERT OR IGNORE, which an outer INSERT OR REPLACE would turn into a replace). Posts
            // already held are numbered in the order their rows were written.
            try db.execute(
                sql: """
                    CREATE TABLE post_order (
                        postId TEXT PRIMARY KEY NOT NULL,
                        seq INTEGER NOT NULL
                    );
                    CREATE INDEX post_order_seq ON post_order(seq);
                    CREATE TRIGGER versions_post_order AFTER INSERT ON versions WHEN NEW.recordType = 'post' BEGIN
                        INSERT INTO post_order (postId, seq)
                        SELECT NEW.recordId, (SELECT coalesce(max(seq), 0) + 1 FROM post_order)
                        WHERE NOT EXISTS (SELECT 1 FROM post_order WHERE postId = NEW.recordId);
                    END;
                    INSERT INTO post_order (postId, seq)
                        SELECT recordId, min(rowid) FROM versions WHERE recordType = 'post' GROUP BY recordId;
                    """)
        }
        return migrator
    }
}
