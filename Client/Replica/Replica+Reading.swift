import Foundation
import GRDB
import NKProtocol

extension Replica {
    /// Every post (the first non-deleted sibling of each) that `filter` keeps, in corpus order (the order
    /// the replica first saw them), by date where dates are known: oldest first, an undated post staying
    /// right after the dated post before it in its category (first, when none is dated before it).
    public func posts(_ filter: PostFilter = PostFilter()) throws(ClientError) -> [PostSummary] {
        try read { db in
            let order = try Dictionary(
                Row.fetchAll(db, sql: "SELECT postId, seq FROM post_order").map { row in
                    (row["postId"] as String, row["seq"] as Int)
                }, uniquingKeysWith: min)
            let annotated = filter.annotated ? try Self.postsWithNotes(db) { _ in true } : nil
            let posts = try ReplicaStore.frontiers(db, type: .post).values.compactMap { siblings -> Post? in
                guard let version = ReplicaStore.firstLive(siblings), case .post(let post) = version.body else {
                    return nil
                }
                return post
            }.sorted {
                (order[$0.id.rawValue] ?? .max, $0.id.rawValue) < (order[$1.id.rawValue] ?? .max, $1.id.rawValue)
            }
            // Each post's day, or the day of the nearest dated post before it in its category's file.
            var day = Date.distantPast
            var category: String?
            let placed = posts.enumerated().map { index, post in
                if post.category != category { (day, category) = (.distantPast, post.category) }
                day = post.day ?? day
                return (post: post, day: day, index: index)
            }
            return placed.sorted { ($0.day, $0.index) < ($1.day, $1.index) }.map(\.post).filter { post in
                if let category = filter.category, !NoteFilter.same(post.category, category) { return false }
                if let source = filter.source, !NoteFilter.same(post.source, source) { return false }
                return annotated?.contains(post.id) ?? true
            }.map { post in
                PostSummary(
                    id: post.id, title: post.title, source: post.source, category: post.category, date: post.date)
            }
        }
    }

    /// A post (given by id or unique id prefix) with its notes in text order.
    public func post(_ idOrPrefix: String) throws(ClientError) -> PostDetail {
        try read { db in
            let id = try ReplicaStore.resolveID(db, type: .post, prefix: idOrPrefix)
            let post = try Self.livePost(db, id: id)
            let notes = try Self.noteEntries(db, postId: post.id, user: config.user)
            let siblings = try StoredVersion.fetchFrontier(db, type: .post, id: id)
            var conflict: PostConflict?
            if siblings.count > 1, let shown = siblings.firstIndex(where: { !$0.version.deleted }) {
                conflict = PostConflict(versions: siblings.count, shown: shown)
            }
            return PostDetail(post: post, notes: notes, conflict: conflict)
        }
    }

    /// One entry per non-deleted annotation (of one post, if given) that matches `filter`, by post
    /// then position in the post's current text (orphaned ones last), each re-anchored.
    public func notes(post postIdOrPrefix: String? = nil, filter: NoteFilter = NoteFilter()) throws(ClientError)
        -> [NoteEntry]
    {
        try read { db in
            var postId: PostID?
            if let postIdOrPrefix {
                postId = PostID(try ReplicaStore.resolveID(db, type: .post, prefix: postIdOrPrefix))
            }
            return try Self.noteEntries(db, postId: postId, filter: filter, user: config.user)
        }
    }

    /// Every record with more than one sibling, by type then id; siblings in deterministic order.
    public func conflicts() throws(ClientError) -> [ConflictEntry] {
        try read { db in
            var entries: [ConflictEntry] = []
            for type in RecordType.allCases.sorted() {
                for (id, siblings) in try ReplicaStore.frontiers(db, type: type) where siblings.count > 1 {
                    entries.append(
                        ConflictEntry(type: type, id: id, versions: siblings.map { ConflictEntry.Sibling($0.version) }))
                }
            }
            return entries.sorted { ($0.type, $0.id) < ($1.type, $1.id) }
        }
    }

    /// Pending and conflict counts, last sync and cursor.
    public func status() throws(ClientError) -> ReplicaStatus {
        try read { db in
            ReplicaStatus(
                server: config.server, user: config.user, replica: config.replica,
                pending: try ReplicaStore.pendingCount(db), conflicts: try ReplicaStore.conflictCount(db),
                lastSync: try ReplicaStore.lastSync(db), cursor: try ReplicaStore.cursor(db),
                rejected: try ReplicaStore.rejectedCount(db), caFile: config.caFile, insecureHTTP: config.insecureHTTP)
        }
    }

    static func livePost(_ db: Database, id: String) throws -> Post {
        try livePostVersion(db, id: id).post
    }

    /// The first non-deleted sibling of a post, with its version vector.
    static func livePostVersion(_ db: Database, id: String) throws -> (post: Post, version: VersionVector) {
        let siblings = try StoredVersion.fetchFrontier(db, type: .post, id: id)
        guard let version = ReplicaStore.firstLive(siblings), case .post(let post) = version.body else {
            throw ClientError(.notFound, "the post \(id) was deleted")
        }
        return (post, version.version)
    }

    /// The notes as `notes` and `read` show them. An outstanding rejected change marks its
    /// annotation's entry; one the server holds no version of is shown as the user wrote it.
    static func noteEntries(_ db: Database, postId: PostID?, filter: NoteFilter = NoteFilter(), user: String) throws
        -> [NoteEntry]
    {
        var posts = PostCache()
        var entries: [AnnotationID: NoteEntry] = [:]
        for siblings in try ReplicaStore.frontiers(db, type: .annotation, postId: postId).values {
            guard let version = ReplicaStore.firstLive(siblings), case .annotation(let annotation) = version.body else {
                continue
            }
            let post = try posts.post(db, annotation.postId)
            guard filter.matches(tags: annotation.tags, author: annotation.author, postSource: post?.post.source) else {
                continue
            }
            entries[annotation.id] = NoteEntry(
                annotation: annotation, version: version.version, conflict: siblings.count > 1,
                placement: Self.place(annotation.anchor, in: post), editor: version.editor)
        }
        for rejected in try ReplicaStore.outstandingRejections(db) {
            guard case .annotation(let annotation) = rejected.version.body else { continue }
            let held = try StoredVersion.fetchHeld(db, type: .annotation, id: annotation.id.rawValue)
            if entries[annotation.id] == nil {
                // A note the server holds no version of (or holds only deleted): shown as written.
                guard held.isEmpty, !rejected.version.deleted, postId == nil || annotation.postId == postId else {
                    continue
                }
                let post = try posts.post(db, annotation.postId)
                guard filter.matches(tags: annotation.tags, author: annotation.author, postSource: post?.post.source)
                else { continue }
                entries[annotation.id] = NoteEntry(
                    annotation: annotation, version: rejected.version.version, conflict: false,
                    placement: Self.place(annotation.anchor, in: post), editor: user)
            }
            let title = try posts.post(db, annotation.postId)?.post.title
            entries[annotation.id]?.rejected = RejectedChange(rejected, title: title, serverHasRecord: !held.isEmpty)
        }
        return try threaded(db, entries.values.sorted(by: Self.textOrder))
    }

    /// The entries in thread order: each note, then its replies (``AnnotationThreads``), with their depth;
    /// a reply whose parent is not listed is marked, and says whether that parent is deleted here.
    static func threaded(_ db: Database, _ entries: [NoteEntry]) throws -> [NoteEntry] {
        try AnnotationThreads.ordered(entries, id: \.id, replyTo: \.replyTo, created: \.created).map { threaded in
            var entry = threaded.item
            entry.depth = threaded.depth
            entry.parentMissing = threaded.parentMissing
            if threaded.parentMissing, let parent = entry.replyTo {
                let held = try StoredVersion.fetchFrontier(db, type: .annotation, id: parent.rawValue)
                entry.parentDeleted = !held.isEmpty && held.allSatisfy(\.version.deleted)
            }
            return entry
        }
    }

    /// By post, then notes on the whole post, then position in the current text, orphaned ones last,
    /// then id. (Replies go under their notes: ``threaded(_:_:)``.)
    static func textOrder(_ lhs: NoteEntry, _ rhs: NoteEntry) -> Bool {
        let lhsOrphaned = lhs.anchorStatus == .orphaned
        let rhsOrphaned = rhs.anchorStatus == .orphaned
        let (lhsStart, lhsEnd) = (lhs.placement?.start ?? -1, lhs.placement?.end ?? -1)
        let (rhsStart, rhsEnd) = (rhs.placement?.start ?? -1, rhs.placement?.end ?? -1)
        return (lhs.postId.rawValue, lhsOrphaned ? 1 : 0, lhsStart, lhsEnd, lhs.id.rawValue)
            < (rhs.postId.rawValue, rhsOrphaned ? 1 : 0, rhsStart, rhsEnd, rhs.id.rawValue)
    }

    /// Places an anchor in the current text of its post (nil: the post is not held here, so the
    /// passage cannot be shown: orphaned). An anchor made on this very version stands where it was made.
    /// A note without a passage has no placement (nil).
    static func place(_ anchor: Anchor?, in post: (post: Post, version: VersionVector)?) -> Reanchoring? {
        guard let anchor else { return nil }
        guard let post else { return Reanchoring(anchor: anchor, status: .orphaned) }
        if let made = anchor.postVersion, made == post.version { return Reanchoring(anchor: anchor, status: .exact) }
        return anchor.reanchored(in: post.post.text)
    }
}

/// The live version of each post, loaded once per transaction.
struct PostCache {
    private var loaded: [PostID: (post: Post, version: VersionVector)?] = [:]

    /// The post's first non-deleted sibling and its vector; nil when the post is not held or deleted.
    mutating func post(_ db: Database, _ id: PostID) throws -> (post: Post, version: VersionVector)? {
        if let cached = loaded[id] { return cached }
        let siblings = try StoredVersion.fetchFrontier(db, type: .post, id: id.rawValue)
        var result: (post: Post, version: VersionVector)?
        if let version = ReplicaStore.firstLive(siblings), case .post(let post) = version.body {
            result = (post, version.version)
        }
        loaded[id] = .some(result)
        return result
    }
}
