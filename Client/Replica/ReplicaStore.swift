import Foundation
import GRDB
import NKProtocol

/// The replica's database operations, each inside a transaction its caller opened.
enum ReplicaStore {
    // MARK: Frontiers

    /// Every record of `type` (optionally only the annotations of one post), grouped by id,
    /// siblings in deterministic order.
    static func frontiers(_ db: Database, type: RecordType, postId: PostID? = nil) throws -> [String: [StoredVersion]] {
        let rows: [StoredVersion]
        if let postId {
            rows = try StoredVersion.fetchAll(
                db, sql: "SELECT \(StoredVersion.columns) FROM versions WHERE recordType = ? AND postId = ?",
                arguments: [type.rawValue, postId.rawValue])
        } else {
            rows = try StoredVersion.fetchAll(
                db, sql: "SELECT \(StoredVersion.columns) FROM versions WHERE recordType = ?",
                arguments: [type.rawValue])
        }
        return Dictionary(grouping: rows, by: \.version.id).mapValues {
            $0.sorted { Frontier.siblingOrder($0.version.version, $1.version.version) }
        }
    }

    /// The first non-deleted sibling, in sibling order.
    static func firstLive(_ siblings: [StoredVersion]) -> RecordVersion? {
        siblings.first { !$0.version.deleted }?.version
    }

    // MARK: Ids

    /// The full id of the record of `type` whose id starts with `prefix`, as git resolves
    /// abbreviated commits.
    static func resolveID(_ db: Database, type: RecordType, prefix: String) throws -> String {
        let typed = prefix.trimmingWhitespaceAndNewlines()
        let text = typed.lowercased()
        let noun = type == .post ? "post" : "annotation"
        guard !text.isEmpty else { throw ClientError(.invalidInput, "the \(noun) id is empty") }
        // A range on the primary key (recordType, recordId, ...): an index search, not a scan, so
        // resolving an id costs the same with a million versions as with ten. Ids are ASCII, so
        // every id that starts with the prefix sorts below prefix + DEL. Ids are made lowercase;
        // the prefix as typed is searched too, for an id someone made with capitals. A rejected change
        // not yet settled keeps its id usable (edit, discard), held or not.
        var matches: [String] = []
        for candidate in Set([text, typed]) {
            matches += try String.fetchAll(
                db,
                sql: """
                    SELECT recordId FROM versions
                    WHERE recordType = ? AND recordId >= ? AND recordId < ?
                    UNION SELECT recordId FROM rejected
                    WHERE recordType = ? AND recordId >= ? AND recordId < ? AND settled IS NULL
                    ORDER BY recordId LIMIT 1000
                    """,
                arguments: [
                    type.rawValue, candidate, candidate + "\u{7F}", type.rawValue, candidate, candidate + "\u{7F}",
                ])
        }
        matches = Array(Set(matches)).sorted()
        if let exact = matches.first(where: { $0.lowercased() == text }) { return exact }
        switch matches.count {
        case 0: throw ClientError(.notFound, "no \(noun) has the id '\(text.prefix(80))'")
        case 1: return matches[0]
        default:
            throw ClientError(
                .ambiguousID,
                "the id prefix '\(text.prefix(80))' matches \(matches.count) \(noun)s; give more characters")
        }
    }

    // MARK: Writing

    /// Writes a local version by `replica`: numbered, validated, then applied with the frontier
    /// rule, marked pending. Returns the version as written.
    ///
    /// The version's own counter is raised above every counter this replica has given before, in
    /// any record (``ownCounter(_:replica:)``), and that high-water mark is kept: the counters of
    /// one replica only ever grow, so a pulled version that claims a counter of ours above it can
    /// only come from a server that is not honest, or from a copy of this folder that went on
    /// without us (DESIGN.md, "Own counters").
    @discardableResult
    static func writeLocal(_ db: Database, _ version: RecordVersion, by replica: ReplicaID) throws -> RecordVersion {
        var version = version
        let next = max(version.version[replica], try ownCounter(db, replica: replica) + 1)
        var counters = version.version.counters
        counters[replica] = next
        version.version = VersionVector(counters)
        do {
            try version.validate()
        } catch {
            throw ClientError(.invalidInput, error.message)
        }
        try setState(db, ownCounterKey(replica), String(next))
        let held = try StoredVersion.fetchFrontier(db, type: version.type, id: version.id)
        let outcome = Frontier.apply(version.version, to: held.map(\.version.version))
        guard outcome.status != .unchanged else {
            throw ClientError(.storage, "a local edit did not dominate the versions it was made from")
        }
        for vector in outcome.removed {
            try StoredVersion.supersede(db, type: version.type, id: version.id, vector: vector)
        }
        try StoredVersion(version: version, pending: true).insert(db)
        return version
    }

    /// Applies a version that came from the server with the frontier rule. `held` is the record's
    /// frontier when the caller has already read it.
    ///
    /// A version equal to a held pending one means the server holds ours: it is taken as the
    /// server stored it and leaves the outbox.
    @discardableResult
    static func applyRemote(
        _ db: Database, _ version: RecordVersion, held: [HeldVersion]? = nil, encoder: JSONEncoder = Wire.makeEncoder()
    ) throws -> ApplyStatus {
        let held = try held ?? StoredVersion.fetchHeld(db, type: version.type, id: version.id)
        let outcome = Frontier.apply(version.version, to: held.map(\.vector))
        if outcome.status == .unchanged {
            if let equal = outcome.equal, held.contains(where: { $0.vector == equal && $0.pending }) {
                // One vector names one version: the server's copy of ours may differ only in what
                // the server stamps. Other content under our vector would replace unpushed work.
                let ours = try StoredVersion.fetchFrontier(db, type: version.type, id: version.id)
                    .first { $0.version.version == equal }
                if let ours, !ours.version.hasSameContent(as: version) {
                    throw ClientError(
                        .badResponse,
                        "the server sent a version of \(version.type.rawValue) \(version.id) with the vector of an "
                            + "unpushed local version but other content; nothing of it was applied")
                }
                try StoredVersion(version: version, pending: false).insert(db, encoder: encoder)
            }
            return .unchanged
        }
        for vector in outcome.removed {
            try StoredVersion.supersede(db, type: version.type, id: version.id, vector: vector)
        }
        try StoredVersion(version: version, pending: false).insert(db, encoder: encoder)
        return outcome.status
    }

    /// Drops the held versions of a record that a hidden version dominates. Returns how many.
    @discardableResult
    static func applyHidden(_ db: Database, _ hidden: HiddenVersion, held: [HeldVersion]? = nil) throws -> Int {
        let held = try held ?? StoredVersion.fetchHeld(db, type: hidden.type, id: hidden.id)
        let removed = Frontier.hide(hidden.version, from: held.map(\.vector))
        for vector in removed {
            try StoredVersion.supersede(db, type: hidden.type, id: hidden.id, vector: vector)
        }
        return removed.count
    }

    // MARK: Own counters

    static func ownCounterKey(_ replica: ReplicaID) -> String { "ownCounter." + replica.rawValue }

    /// The highest counter `replica` has given any of its edits, in any record.
    ///
    /// Kept in `state` by ``writeLocal(_:_:by:)``. A replica written before it was kept has it
    /// derived once from what it holds (its versions and its rejected ones); ``keepOwnCounter(_:replica:)``
    /// stores that, so the scan happens once.
    static func ownCounter(_ db: Database, replica: ReplicaID) throws -> UInt64 {
        if let kept = try stateValue(db, ownCounterKey(replica)).flatMap({ UInt64($0) }) { return kept }
        // Replica ids are plain identifiers (letters, digits, '.', '_', '-'): safe in a JSON path.
        let path = "$.\"\(replica.rawValue)\""
        var highest: UInt64 = 0
        for table in ["versions", "rejected"] {
            let value = try Int64.fetchOne(
                db, sql: "SELECT MAX(CAST(json_extract(vectorJSON, ?) AS INTEGER)) FROM \(table)", arguments: [path])
            highest = max(highest, UInt64(max(0, value ?? 0)))
        }
        return highest
    }

    static func sentCounterKey(_ replica: ReplicaID) -> String { "sentCounter." + replica.rawValue }

    /// The highest counter of `replica` ever sent to the server (in a push, acknowledged or not).
    /// A replica written before it was kept counts every counter it has given as sent.
    static func sentCounter(_ db: Database, replica: ReplicaID) throws -> UInt64 {
        if let kept = try stateValue(db, sentCounterKey(replica)).flatMap({ UInt64($0) }) { return kept }
        return try ownCounter(db, replica: replica)
    }

    /// Records, before a push is sent, the highest counter of `replica` in it.
    static func recordSent(_ db: Database, replica: ReplicaID, upTo counter: UInt64) throws {
        try setState(db, sentCounterKey(replica), String(max(try sentCounter(db, replica: replica), counter)))
    }

    /// Stores ``ownCounter(_:replica:)`` when it was derived, so later reads cost a lookup.
    static func keepOwnCounter(_ db: Database, replica: ReplicaID) throws {
        guard try stateValue(db, ownCounterKey(replica)) == nil else { return }
        try setState(db, ownCounterKey(replica), String(try ownCounter(db, replica: replica)))
    }

    // MARK: Counts and state

    static func pendingCount(_ db: Database) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM versions WHERE pending = 1") ?? 0
    }

    static func conflictCount(_ db: Database) throws -> Int {
        // Kept by triggers (ReplicaDatabase, v4-conflicted): no scan of the versions.
        try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM conflicted") ?? 0
    }

    /// The rejected changes not yet edited or discarded.
    static func rejectedCount(_ db: Database) throws -> Int {
        try outstandingRejections(db).count
    }

    static func stateValue(_ db: Database, _ key: String) throws -> String? {
        try String.fetchOne(db, sql: "SELECT value FROM state WHERE key = ?", arguments: [key])
    }

    static func setState(_ db: Database, _ key: String, _ value: String) throws {
        try db.execute(sql: "INSERT OR REPLACE INTO state (key, value) VALUES (?, ?)", arguments: [key, value])
    }

    static func cursor(_ db: Database) throws -> Int64 {
        try stateValue(db, "cursor").flatMap { Int64($0) } ?? 0
    }

    static func setCursor(_ db: Database, _ cursor: Int64) throws {
        try setState(db, "cursor", String(cursor))
    }

    /// The cursor the next pull starts from. A replica that never pulled as a client reading notes on
    /// whole posts and replies (`Wire.features` `threads`) starts again from 0, once: before it was
    /// upgraded, the server left those out of its pulls while the cursor moved past them. Pulling again
    /// changes nothing already held (each version is applied by its vector); it brings the rest.
    static func pullCursor(_ db: Database) throws -> Int64 {
        if try !pulledThreads(db) {
            try setState(db, "pulledThreads", "1")
            if try cursor(db) > 0 { try setCursor(db, 0) }
        }
        return try cursor(db)
    }

    /// Whether this replica has pulled as a client that reads threads (``pullCursor(_:)``).
    static func pulledThreads(_ db: Database) throws -> Bool {
        try stateValue(db, "pulledThreads") != nil
    }

    static func lastSync(_ db: Database) throws -> Date? {
        try stateValue(db, "lastSync").flatMap { ISO8601DateFormatter().date(from: $0) }
    }

    static func setLastSync(_ db: Database, _ date: Date) throws {
        try setState(db, "lastSync", ISO8601DateFormatter().string(from: date))
    }
}
