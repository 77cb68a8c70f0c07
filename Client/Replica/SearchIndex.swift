/// The full-text index of the replica (SQLite FTS5), kept in step with the `versions` table by
/// triggers, so every local edit, import and pulled change is searchable in the same transaction.
///
/// `search_rows` gives each indexed version a stable integer key (an `INTEGER PRIMARY KEY`, which
/// `VACUUM` never renumbers); `search` is the FTS5 table whose rowid is that key. Only non-deleted
/// versions are indexed; a record with siblings has one row per sibling. The tables and triggers
/// are migration `v2-search` (`ReplicaDatabase+Migrations.swift`), the table made again with porter
/// stemming by `v6-search-fold`; a change to them is a new migration. Queries go through
/// ``SearchQuery``, which folds them and quotes every word.
public enum SearchIndex {
    /// bm25 weights of the columns of `search`, in their order (title, body, source, note, tags,
    /// quote): a hit in a title or a tag counts more than one in a body.
    public static let weights = "10.0, 1.0, 2.0, 4.0, 6.0, 2.0"
}
