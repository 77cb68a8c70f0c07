import Foundation
import GRDB
import NKProtocol

extension Replica {
    /// Full-text search (SQLite FTS5) over post titles, bodies and sources and over notes, tags and
    /// quotes, best first (bm25), one hit per record.
    ///
    /// The query is FTS5's: words (all must occur), `"a phrase"`, `prefix*`, `OR`, `NOT`, parentheses.
    /// The filter applies to what each hit is: a note matches by its tags, its author and its post's
    /// source; a post by its source, its byline author, and (for `tag`) whether it carries a note with
    /// that tag.
    ///
    /// - Throws: ``ClientError/Code/invalidInput`` with one readable line when the query is malformed.
    public func search(_ query: String, filter: NoteFilter = NoteFilter(), limit: Int = 20) throws(ClientError)
        -> [SearchHit]
    {
        let text = query.trimmingWhitespaceAndNewlines()
        guard !text.isEmpty else { throw ClientError(.invalidInput, "the search query is empty") }
        guard limit > 0 else { throw ClientError(.invalidInput, "the limit must be at least 1") }
        return try read { db in
            let rows = try Self.matches(db, query: text)
            var posts = PostCache()
            let tagged = try filter.tag.map { tag in try Self.postsWithNotes(db, taggedWith: tag) }
            var seen = Set<RecordKey>()
            var hits: [SearchHit] = []
            for row in rows {
                guard hits.count < limit else { break }
                guard let type = RecordType(rawValue: row["recordType"]) else { continue }
                let key = RecordKey(type: type, id: row["recordId"])
                // The best-ranked sibling of a record stands for it.
                guard !seen.contains(key) else { continue }
                let held = try StoredVersion.fetchFrontier(db, type: type, id: key.id)
                let vector: String = row["vector"]
                let rejected =
                    try type == .annotation ? ReplicaStore.outstandingRejection(db, type: type, id: key.id) : nil
                // A rejected note not yet settled is indexed under `rejected:ROW` (v5-rejected-settled).
                guard
                    let version = held.first(where: { $0.version.version.canonical == vector })?.version
                        ?? rejected.flatMap({ vector == "rejected:\($0.row)" ? $0.version : nil })
                else { continue }
                seen.insert(key)
                // Paragraphs are joined by newlines in the index; a snippet reads as one line.
                let snippet = (row["snippet"] as String? ?? "").split(whereSeparator: \.isNewline).joined(
                    separator: " ")
                let rank: Double = row["score"]
                switch version.body {
                case .post(let post):
                    if let tagged, !tagged.contains(post.id) { continue }
                    if let author = filter.author, !NoteFilter.same(post.author, author) { continue }
                    if let source = filter.source, !NoteFilter.same(post.source, source) { continue }
                    hits.append(
                        SearchHit(
                            kind: .post, id: post.id.rawValue, postId: post.id, title: post.title, snippet: snippet,
                            rank: rank))
                case .annotation(let annotation):
                    let post = try posts.post(db, annotation.postId)?.post
                    guard filter.matches(tags: annotation.tags, author: annotation.author, postSource: post?.source)
                    else { continue }
                    hits.append(
                        SearchHit(
                            kind: .note, id: annotation.id.rawValue, postId: annotation.postId,
                            title: post?.title ?? "", snippet: snippet, rank: rank, author: annotation.author,
                            tags: annotation.tags, rejected: rejected != nil))
                }
            }
            return hits
        }
    }

    /// Every index row matching `query`, best first, with its snippet.
    static func matches(_ db: Database, query: String) throws -> [Row] {
        do {
            return try Row.fetchAll(
                db,
                sql: """
                    SELECT r.recordType, r.recordId, r.vector,
                        snippet(search, -1, ?, ?, '…', 12) AS snippet,
                        bm25(search, \(SearchIndex.weights)) AS score
                    FROM search JOIN search_rows r ON r.id = search.rowid
                    WHERE search MATCH ?
                    ORDER BY score, r.recordType, r.recordId
                    LIMIT 100000
                    """,
                arguments: [SearchHit.highlightStart, SearchHit.highlightEnd, query])
        } catch let error as DatabaseError where error.resultCode == .SQLITE_ERROR {
            // The query is the only input of this statement: an SQL error means FTS5 could not read it.
            let reason = (error.message ?? "syntax error").replacingOccurrences(of: "fts5: ", with: "")
            throw ClientError(
                .invalidInput,
                "cannot read the search query (\(reason.prefix(120))): put phrases in double quotes (\"hard currency\"), "
                    + "end a prefix with * (sanction*), and quote words that contain punctuation")
        }
    }

    /// The posts that carry a non-deleted note with `tag` (case-insensitively).
    static func postsWithNotes(_ db: Database, taggedWith tag: String) throws -> Set<PostID> {
        var result = Set<PostID>()
        for siblings in try ReplicaStore.frontiers(db, type: .annotation).values {
            guard let version = ReplicaStore.firstLive(siblings), case .annotation(let annotation) = version.body else {
                continue
            }
            if annotation.tags.contains(where: { NoteFilter.same($0, tag) }) { result.insert(annotation.postId) }
        }
        return result
    }
}
