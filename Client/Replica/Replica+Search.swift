import Foundation
import GRDB
import NKProtocol

extension Replica {
    /// Full-text search (SQLite FTS5) over post titles, bodies and sources and over notes, tags and
    /// quotes, best first (bm25) or newest first, one hit per record.
    ///
    /// The query is what a person types (``SearchQuery``): words (all must occur), `"a phrase"`,
    /// `prefix*`, `OR`, `NOT`; nothing in it is FTS5 syntax, so it never fails to parse. The filter
    /// applies to what each hit is: a note matches by its tags, its author, its visibility, its post's
    /// source and when it was written; a post by its source, its byline author and day, and (for `tag`
    /// and `visibility`) whether it carries such a note.
    ///
    /// - Throws: ``ClientError/Code/invalidInput`` when the query holds no word.
    public func search(
        _ query: String, filter: NoteFilter = NoteFilter(), scope: SearchScope = SearchScope(), limit: Int = 20
    ) throws(ClientError) -> [SearchHit] {
        guard limit > 0 else { throw ClientError(.invalidInput, "the limit must be at least 1") }
        guard let expression = SearchQuery(query).expression else {
            throw ClientError(
                .invalidInput,
                query.trimmingWhitespaceAndNewlines().isEmpty
                    ? "the search query is empty" : "the search query has no word to look for (letters or digits)")
        }
        return try read { db in try Self.readingQuery { try Self.hits(db, expression, filter, scope, limit) } }
    }

    /// The hits of `expression`, an FTS5 query from ``SearchQuery``.
    private static func hits(
        _ db: Database, _ expression: String, _ filter: NoteFilter, _ scope: SearchScope, _ limit: Int
    ) throws -> [SearchHit] {
        // A cursor: reading stops once `limit` hits are found, where a common word matches tens of
        // thousands of rows.
        let rows = try Self.matchCursor(db, query: expression)
        var posts = PostCache()
        let tagged = try filter.tag.map { tag in
            try Self.postsWithNotes(db) { $0.tags.contains(where: { NoteFilter.same($0, tag) }) }
        }
        let visible = try scope.visibility.map { visibility in
            try Self.postsWithNotes(db) { $0.visibility == visibility }
        }
        var seen = Set<RecordKey>()
        var hits: [(hit: SearchHit, rowid: Int64)] = []
        while let row = try rows.next() {
            // Sorted by date, every hit is needed before the first can be known.
            guard hits.count < limit || scope.order == .date else { break }
            guard let type = RecordType(rawValue: row["recordType"]) else { continue }
            let key = RecordKey(type: type, id: row["recordId"])
            // The best-ranked sibling of a record stands for it.
            guard seen.insert(key).inserted else { continue }
            let held = try StoredVersion.fetchFrontier(db, type: type, id: key.id)
            let vector: String = row["vector"]
            let rejected =
                try type == .annotation ? ReplicaStore.outstandingRejection(db, type: type, id: key.id) : nil
            // A rejected note not yet settled is indexed under `rejected:ROW` (v5-rejected-settled).
            guard
                let version = held.first(where: { $0.version.version.canonical == vector })?.version
                    ?? rejected.flatMap({ vector == "rejected:\($0.row)" ? $0.version : nil })
            else { continue }
            let rank: Double = row["score"]
            let rowid: Int64 = row["rowid"]
            switch version.body {
            case .post(let post):
                if let tagged, !tagged.contains(post.id) { continue }
                if let visible, !visible.contains(post.id) { continue }
                if let author = filter.author, !NoteFilter.same(post.author, author) { continue }
                if let source = filter.source, !NoteFilter.same(post.source, source) { continue }
                guard scope.contains(post.day) else { continue }
                hits.append(
                    (
                        SearchHit(
                            kind: .post, id: post.id.rawValue, postId: post.id, title: post.title, snippet: "",
                            rank: rank, date: post.day), rowid
                    ))
            case .annotation(let annotation):
                let post = try posts.post(db, annotation.postId)?.post
                guard filter.matches(tags: annotation.tags, author: annotation.author, postSource: post?.source),
                    scope.visibility.map({ $0 == annotation.visibility }) ?? true,
                    scope.contains(annotation.createdAt)
                else { continue }
                hits.append(
                    (
                        SearchHit(
                            kind: .note, id: annotation.id.rawValue, postId: annotation.postId,
                            title: post?.title ?? "", snippet: "", rank: rank, author: annotation.author,
                            tags: annotation.tags, rejected: rejected != nil, date: annotation.createdAt), rowid
                    ))
            }
        }
        if scope.order == .date {
            // Stable: equal dates (and undated hits, last) keep their rank order.
            hits = hits.enumerated().sorted { lhs, rhs in
                switch (lhs.element.hit.date, rhs.element.hit.date) {
                case (let l?, let r?) where l != r: l > r
                case (nil, _?): false
                case (_?, nil): true
                default: lhs.offset < rhs.offset
                }
            }.map(\.element)
        }
        // Snippets only for the hits kept: a common word matches tens of thousands of rows, and
        // snippet() over all of them took seconds.
        return try hits.prefix(limit).map { hit, rowid in
            var hit = hit
            hit.snippet = try Self.snippet(db, rowid: rowid, query: expression)
            return hit
        }
    }

    /// The highlighted passage of index row `rowid` for `query`, on one line (paragraphs are joined by
    /// newlines in the index).
    static func snippet(_ db: Database, rowid: Int64, query: String) throws -> String {
        let snippet = try String.fetchOne(
            db,
            sql: "SELECT snippet(search, -1, ?, ?, '…', 12) FROM search WHERE search MATCH ? AND rowid = ?",
            arguments: [SearchHit.highlightStart, SearchHit.highlightEnd, query, rowid])
        return (snippet ?? "").split(whereSeparator: \.isNewline).joined(separator: " ")
    }

    /// Every index row matching `query`, best first, with its rowid and bm25 score.
    static func matches(_ db: Database, query: String) throws -> [Row] {
        try readingQuery { try Array(matchCursor(db, query: query)) }
    }

    static func matchCursor(_ db: Database, query: String) throws -> RowCursor {
        try Row.fetchCursor(
            db,
            sql: """
                SELECT r.recordType, r.recordId, r.vector,
                    search.rowid AS rowid,
                    bm25(search, \(SearchIndex.weights)) AS score
                FROM search JOIN search_rows r ON r.id = search.rowid
                WHERE search MATCH ?
                ORDER BY score, r.recordType, r.recordId
                LIMIT 100000
                """,
            arguments: [query])
    }

    /// Runs `body`, which reads the index with a query: FTS5 reports a query it cannot read as an SQL
    /// error when the statement first steps.
    static func readingQuery<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as DatabaseError where error.resultCode == .SQLITE_ERROR {
            // SearchQuery quotes every word, so FTS5 reads whatever was typed; should it still refuse one,
            // the user gets one line, never SQL.
            throw ClientError(.invalidInput, "cannot read the search query; search for plain words")
        }
    }
    /// The posts that carry a non-deleted note for which `matches` holds.
    static func postsWithNotes(_ db: Database, where matches: (Annotation) -> Bool) throws -> Set<PostID> {
        var result = Set<PostID>()
        for siblings in try ReplicaStore.frontiers(db, type: .annotation).values {
            guard let version = ReplicaStore.firstLive(siblings), case .annotation(let annotation) = version.body else {
                continue
            }
            if matches(annotation) { result.insert(annotation.postId) }
        }
        return result
    }
}
