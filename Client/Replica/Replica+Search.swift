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
    ///
    /// Only the rows that may become hits are decoded, where a common word matches tens of thousands
    /// of rows: in rank order reading stops once `limit` hits are found (``RankedMatches``); in date
    /// order every match's date is read first without decoding (``matchesByDate(_:query:)``), and
    /// rows are decoded in that order until `limit` pass the filters.
    private static func hits(
        _ db: Database, _ expression: String, _ filter: NoteFilter, _ scope: SearchScope, _ limit: Int
    ) throws -> [SearchHit] {
        let next: () throws -> Row?
        if scope.order == .date {
            var ordered = try Self.matchesByDate(db, query: expression).makeIterator()
            next = { ordered.next() }
        } else {
            var ranked = RankedMatches(query: expression, window: max(200, limit * 10))
            next = { try ranked.next(db) }
        }
        var posts = PostCache()
        var tagged = filter.tag.map { tag in CarriedNotes { $0.tags.contains(where: { NoteFilter.same($0, tag) }) } }
        var visible = scope.visibility.map { visibility in CarriedNotes { $0.visibility == visibility } }
        // Most replicas hold no rejected change: then no hit needs looking up among them.
        let rejections = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM rejected WHERE settled IS NULL)")
        var seen = Set<RecordKey>()
        var hits: [(hit: SearchHit, rowid: Int64)] = []
        while hits.count < limit, let row = try next() {
            guard let type = RecordType(rawValue: row["recordType"]) else { continue }
            let key = RecordKey(type: type, id: row["recordId"])
            // The best-ranked sibling of a record stands for it.
            guard seen.insert(key).inserted else { continue }
            let held = try StoredVersion.fetchFrontier(db, type: type, id: key.id)
            let vector: String = row["vector"]
            let rejected =
                try type == .annotation && rejections == true
                ? ReplicaStore.outstandingRejection(db, type: type, id: key.id) : nil
            // A rejected note not yet settled is indexed under `rejected:ROW` (v5-rejected-settled).
            guard
                let version = held.first(where: { $0.version.version.canonical == vector })?.version
                    ?? rejected.flatMap({ vector == "rejected:\($0.row)" ? $0.version : nil })
            else { continue }
            let rank: Double = row["score"]
            let rowid: Int64 = row["rowid"]
            switch version.body {
            case .post(let post):
                if let author = filter.author, !NoteFilter.same(post.author, author) { continue }
                if let source = filter.source, !NoteFilter.same(post.source, source) { continue }
                guard scope.contains(post.day) else { continue }
                if try !(tagged?.carried(db, by: post.id) ?? true) { continue }
                if try !(visible?.carried(db, by: post.id) ?? true) { continue }
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
        // Snippets only for the hits kept: a common word matches tens of thousands of rows, and
        // snippet() over all of them took seconds.
        return try hits.map { hit, rowid in
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

    /// Every record matching `query` once, by its best-ranked row (the sibling that stands for it in rank
    /// order too), newest first: a note by when it was written, a post by its byline's day; undated
    /// hits last, and equal dates in rank order. The dates are read from the stored JSON with
    /// `json_extract`, not by decoding each version: a common word matches tens of thousands of rows,
    /// and decoding them all to sort them took seconds.
    static func matchesByDate(_ db: Database, query: String) throws -> [Row] {
        // A rejected note not yet settled has no row in `versions`: its date is in `rejected`.
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT r.recordType, r.recordId, r.vector, search.rowid AS rowid,
                    bm25(search, \(SearchIndex.weights)) AS score,
                    json_extract(
                        coalesce(v.body, CASE WHEN r.vector LIKE 'rejected:%' THEN
                            (SELECT body FROM rejected WHERE id = CAST(substr(r.vector, 10) AS INTEGER)) END),
                        CASE r.recordType WHEN 'annotation' THEN '$.createdAt' ELSE '$.date' END) AS dated
                FROM search JOIN search_rows r ON r.id = search.rowid
                LEFT JOIN versions v ON v.recordType = r.recordType AND v.recordId = r.recordId AND v.vector = r.vector
                WHERE search MATCH ?
                ORDER BY score, r.recordType, r.recordId
                LIMIT 100000
                """,
            arguments: [query])
        var seen = Set<RecordKey>()
        var days: [String: Date?] = [:]
        var dated: [(row: Row, date: Date?)] = []
        for row in rows {
            guard let type = RecordType(rawValue: row["recordType"]),
                seen.insert(RecordKey(type: type, id: row["recordId"])).inserted
            else { continue }
            let text: String? = row["dated"]
            switch type {
            case .annotation:
                dated.append((row, text.flatMap(Wire.date(from:))))
            case .post:
                // Bylines repeat (one a day at most), and reading one goes through a calendar.
                var day: Date?
                if let text {
                    if let known = days[text] {
                        day = known
                    } else {
                        day = Post.day(from: text)
                        days[text] = .some(day)
                    }
                }
                dated.append((row, day))
            }
        }
        return dated.enumerated().sorted { lhs, rhs in
            switch (lhs.element.date, rhs.element.date) {
            case (let l?, let r?) where l != r: l > r
            case (nil, _?): false
            case (_?, nil): true
            default: lhs.offset < rhs.offset
            }
        }.map(\.element.row)
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

/// Whether a post carries a live note for which a condition holds (`search --tag`, `--group`,
/// `--visibility` keep such posts), read for the posts that come up, one post's notes at a time by the
/// `versions_post` index, never for every note held.
struct CarriedNotes {
    let matches: (Annotation) -> Bool
    private var known: [PostID: Bool] = [:]

    init(where matches: @escaping (Annotation) -> Bool) { self.matches = matches }

    mutating func carried(_ db: Database, by post: PostID) throws -> Bool {
        if let answer = known[post] { return answer }
        let answer = try ReplicaStore.frontiers(db, type: .annotation, postId: post).values.contains { siblings in
            guard let version = ReplicaStore.firstLive(siblings), case .annotation(let annotation) = version.body else {
                return false
            }
            return matches(annotation)
        }
        known[post] = answer
        return answer
    }
}

/// The rows matching an FTS5 query in rank order (bm25, then record type and id), read a window at a
/// time: FTS5 picks the best `window` rows by bm25 alone, and only those are joined to `search_rows`.
///
/// Joining every match before sorting, as ``Replica/matchCursor(_:query:)`` does, cost five times the
/// ranking itself for a word in thousands of notes (25 ms against 5 ms for 5,000 matches here): each
/// row looked up in `search_rows` and sorted by its strings, to keep 20. The order stays exact: every
/// match scoring better than the window's worst is in the window, so rows are handed out while their
/// score is below it; a row that ties with it, or the end of a full window, reads a window eight times
/// larger (up to every match, as the cursor read) and goes on from the same place.
struct RankedMatches {
    let query: String
    private(set) var window: Int
    private var rows: [Row] = []
    private var full = true
    private var worst: Double = -.infinity
    private var index = 0
    private var read = false

    /// The most matches ranked, as ``Replica/matchCursor(_:query:)`` reads at most.
    static let most = 100_000

    init(query: String, window: Int) {
        self.query = query
        self.window = min(window, Self.most)
    }

    mutating func next(_ db: Database) throws -> Row? {
        if !read { try fetch(db) }
        while true {
            if index < rows.count {
                let row = rows[index]
                let score: Double = row["score"]
                // A tie with the window's worst may have siblings outside the window that sort first.
                if full && score >= worst && window < Self.most {
                    try grow(db)
                    continue
                }
                index += 1
                return row
            }
            guard full && window < Self.most else { return nil }
            try grow(db)
        }
    }

    private mutating func grow(_ db: Database) throws {
        window = min(window * 8, Self.most)
        try fetch(db)
    }

    private mutating func fetch(_ db: Database) throws {
        let ranked = try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT r.recordType, r.recordId, r.vector, m.rowid AS rowid, m.score AS score
                    FROM (SELECT rowid, bm25(search, \(SearchIndex.weights)) AS score FROM search
                          WHERE search MATCH ? ORDER BY score LIMIT ?) m
                    LEFT JOIN search_rows r ON r.id = m.rowid
                    ORDER BY m.score, r.recordType, r.recordId
                    """),
            arguments: [query, window])
        full = ranked.count == window
        worst = ranked.last.map { $0["score"] } ?? -.infinity
        // An index row without its key (none should be) is no hit, as the inner join of the cursor made it.
        rows = ranked.filter { ($0["recordType"] as String?) != nil }
        read = true
    }
}
