import Foundation
import GRDB
import NKProtocol

/// The `sync_log` table (migration `v3-sync-log`): what each pull brought in, written in the same
/// transaction as the page.
enum SyncLog {
    /// The longest note excerpt kept, in characters.
    static let excerptLength = 60

    /// What applying a version did, as a log action (nil when it changed nothing).
    ///
    /// - Parameters:
    ///   - held: how many versions of the record were held before.
    ///   - removed: how many of them the version replaced.
    static func action(status: ApplyStatus, held: Int, removed: Int, deleted: Bool) -> SyncLogAction? {
        switch status {
        case .unchanged: nil
        case .conflict: .conflict
        case .applied:
            if removed >= 2 {
                .resolved
            } else if deleted {
                .deleted
            } else if held == 0 {
                .added
            } else {
                .edited
            }
        }
    }

    /// Applies a pulled version with the frontier rule and logs what it did.
    @discardableResult
    static func applyRemote(
        _ db: Database, _ version: RecordVersion, syncID: String, at date: Date,
        encoder: JSONEncoder = Wire.makeEncoder(), guarding own: OwnCounterGuard? = nil
    ) throws -> ApplyStatus {
        let held = try StoredVersion.fetchHeld(db, type: version.type, id: version.id)
        try own?.check(version.version, type: version.type, id: version.id, held: held)
        let outcome = Frontier.apply(version.version, to: held.map(\.vector))
        let status = try ReplicaStore.applyRemote(db, version, held: held, encoder: encoder)
        guard
            let action = action(
                status: status, held: held.count, removed: outcome.removed.count, deleted: version.deleted)
        else { return status }
        try insert(db, action: action, version: version, editor: version.editor, syncID: syncID, at: date)
        return status
    }

    /// Applies a hidden version and logs it when it dropped something. Returns how many versions it dropped.
    @discardableResult
    static func applyHidden(
        _ db: Database, _ hidden: HiddenVersion, syncID: String, at date: Date, guarding own: OwnCounterGuard? = nil
    ) throws -> Int {
        let held = try StoredVersion.fetchHeld(db, type: hidden.type, id: hidden.id)
        try own?.check(hidden.version, type: hidden.type, id: hidden.id, held: held)
        guard held.contains(where: { hidden.version.dominates($0.vector) }) else { return 0 }
        // Something will be dropped: read the bodies, for the log entry.
        let dropped = try StoredVersion.fetchFrontier(db, type: hidden.type, id: hidden.id)
            .filter { hidden.version.dominates($0.version.version) }
        let count = try ReplicaStore.applyHidden(db, hidden, held: held)
        if count > 0, let last = dropped.first {
            try insert(db, action: .hidden, version: last.version, editor: nil, syncID: syncID, at: date)
        }
        return count
    }

    private static func insert(
        _ db: Database, action: SyncLogAction, version: RecordVersion, editor: String?, syncID: String, at date: Date
    ) throws {
        var postId: String
        var title: String?
        var excerpt: String?
        switch version.body {
        case .post(let post):
            postId = post.id.rawValue
            title = post.title
        case .annotation(let annotation):
            postId = annotation.postId.rawValue
            // The title of the first live sibling of the post, read in SQLite (no body decoding).
            title = try String.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT json_extract(body, '$.title') FROM versions
                        WHERE recordType = 'post' AND recordId = ? AND deleted = 0 ORDER BY vector LIMIT 1
                        """),
                arguments: [postId])
            let flat = annotation.note.split(whereSeparator: \.isNewline).joined(separator: " ")
            excerpt = flat.count <= excerptLength ? flat : String(flat.prefix(excerptLength - 1)) + "…"
        }
        try db.cachedStatement(
            sql: """
                INSERT INTO sync_log (at, syncId, action, recordType, recordId, postId, title, editor, excerpt)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(
            arguments: [
                date.formatted(.iso8601), syncID, action.rawValue, version.type.rawValue, version.id,
                postId, title, editor, excerpt,
            ])
    }

    /// The newest `limit` entries, newest first.
    static func entries(_ db: Database, limit: Int) throws -> [SyncLogEntry] {
        let formatter = ISO8601DateFormatter()
        return try Row.fetchAll(
            db,
            sql: """
                SELECT at, syncId, action, recordType, recordId, postId, title, editor, excerpt
                FROM sync_log ORDER BY id DESC LIMIT ?
                """,
            arguments: [limit]
        ).compactMap { row -> SyncLogEntry? in
            guard let action = SyncLogAction(rawValue: row["action"]),
                let type = RecordType(rawValue: row["recordType"])
            else { return nil }
            return SyncLogEntry(
                at: formatter.date(from: row["at"]) ?? Date(timeIntervalSince1970: 0), syncId: row["syncId"],
                action: action, type: type, id: row["recordId"], postId: row["postId"], title: row["title"],
                editor: row["editor"], excerpt: row["excerpt"])
        }
    }
}

extension Replica {
    /// What the last syncs brought in, newest first.
    public func syncLog(limit: Int = 20) throws(ClientError) -> [SyncLogEntry] {
        try read { db in try SyncLog.entries(db, limit: max(0, limit)) }
    }
}
