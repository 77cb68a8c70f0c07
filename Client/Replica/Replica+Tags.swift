import Foundation
import GRDB
import NKProtocol

/// A tag and how many notes carry it (`nkclient tags`).
public struct TagCount: Encodable, Hashable, Sendable {
    /// The tag as first spelled: the spelling on the earliest note that carries it.
    public var tag: String
    /// The live notes that carry it, in any case.
    public var count: Int
}

extension Replica {
    /// Every tag of the live notes, merged case-insensitively under its first spelling, with how many
    /// notes carry it: most used first, then alphabetically. A conflicted note counts its first live
    /// sibling, as `notes` shows it.
    public func tags() throws(ClientError) -> [TagCount] {
        try read { db in
            var counts: [String: TagCount] = [:]
            for annotation in try Self.liveAnnotations(db) {
                // A note counts once per tag, however many spellings of it it carries.
                for tag in Self.mergedTags(annotation.tags) {
                    counts[tag.lowercased(), default: TagCount(tag: tag, count: 0)].count += 1
                }
            }
            return counts.values.sorted {
                $0.count != $1.count ? $0.count > $1.count : $0.tag.lowercased() < $1.tag.lowercased()
            }
        }
    }

    /// Renames tag `old` (in any case) to `new` on every live note that carries it: a normal edit each, that
    /// syncs. A note that carries `new` already keeps one of it. Conflicted notes are left alone (an edit
    /// would resolve their conflict): resolve them first.
    ///
    /// - Returns: the notes edited and the conflicted notes skipped.
    public func renameTag(_ old: String, to new: String) throws(ClientError) -> (
        renamed: [AnnotationID], conflicted: [AnnotationID]
    ) {
        let old = old.trimmingWhitespaceAndNewlines()
        let new = new.trimmingWhitespaceAndNewlines()
        guard !old.isEmpty, !new.isEmpty else { throw ClientError(.invalidInput, "a tag cannot be empty") }
        let candidates = try read { db in
            try ReplicaStore.frontiers(db, type: .annotation).values.compactMap {
                siblings -> (AnnotationID, conflicted: Bool)? in
                guard let annotation = Self.liveAnnotation(siblings),
                    annotation.tags.contains(where: { $0.lowercased() == old.lowercased() })
                else { return nil }
                return (annotation.id, siblings.count > 1)
            }.sorted { $0.0.rawValue < $1.0.rawValue }
        }
        var renamed: [AnnotationID] = []
        for (id, conflicted) in candidates where !conflicted {
            // The tags as they are when the edit is written; the new spelling as given, even where other
            // notes still carry another spelling of it.
            _ = try writeAnnotation(id.rawValue) { _, siblings, _ in
                guard var annotation = Self.liveAnnotation(siblings) else {
                    throw ClientError(.notFound, "the annotation \(id) was deleted")
                }
                let kept = annotation.tags.filter {
                    $0.lowercased() != old.lowercased() && $0.lowercased() != new.lowercased()
                }
                annotation.tags = Annotation.normalisedTags([new] + kept)
                return (annotation, false)
            }
            renamed.append(id)
        }
        return (renamed, candidates.filter(\.conflicted).map(\.0))
    }

    /// `tags` without case-insensitive duplicates, each given the spelling the replica already holds
    /// (the first, on the earliest note) if it holds one: `sanctions` becomes `Sanctions` when a note
    /// already carries `Sanctions`.
    func spelledAsHeld(_ tags: [String]) throws(ClientError) -> [String] {
        let wanted = Set(tags.map { $0.lowercased() })
        guard !wanted.isEmpty else { return [] }
        let held = try read { db in
            var held: [String] = []
            for tag in wanted { held += try Self.heldSpellings(db, of: tag) }
            return held
        }
        var spelling: [String: String] = [:]
        for tag in held where wanted.contains(tag.lowercased()) && spelling[tag.lowercased()] == nil {
            spelling[tag.lowercased()] = tag
        }
        return Self.mergedTags(tags.map { spelling[$0.lowercased()] ?? $0 })
    }

    /// The tags of live notes that may be spellings of `tag`, earliest note first (the caller folds
    /// them in Swift, whose lowercasing, unlike SQLite's, knows more than ASCII).
    ///
    /// Found through the full-text index's `tags` column (case-folded, stemmed: a superset), an
    /// index lookup of the first 64 notes indexed with the word: reading every note's tags made each
    /// `annotate` cost a scan of the replica (10,000 notes created one by one took 240 s instead
    /// of a few). A tag with no letter or digit has no token to look up and is looked for in every
    /// note.
    static func heldSpellings(_ db: Database, of tag: String) throws -> [String] {
        let select = """
            SELECT t.value FROM versions v, json_each(v.body, '$.tags') t
            WHERE v.recordType = 'annotation' AND v.deleted = 0
            """
        let order = "ORDER BY json_extract(v.body, '$.createdAt'), v.recordId, v.vector"
        guard tag.contains(where: { $0.isLetter || $0.isNumber }) else {
            return try String.fetchAll(db, sql: "\(select) \(order)")
        }
        let phrase = "tags : \"" + tag.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        // The first rows the index gives (in the order they were indexed, earliest first) are enough:
        // once tags merge, every note with the tag spells it alike; reading them all would cost as
        // much as the scan for a tag on thousands of notes.
        return try String.fetchAll(
            db,
            sql: """
                SELECT t.value FROM (
                    SELECT r.recordType AS type, r.recordId AS id, r.vector AS vector, search.rowid AS key
                    FROM search JOIN search_rows r ON r.id = search.rowid
                    WHERE search MATCH ? ORDER BY search.rowid LIMIT 64) m
                JOIN versions v ON v.recordType = m.type AND v.recordId = m.id AND v.vector = m.vector,
                    json_each(v.body, '$.tags') t
                WHERE v.recordType = 'annotation' AND v.deleted = 0
                ORDER BY m.key
                """,
            arguments: [phrase])
    }

    /// `tags` without case-insensitive duplicates: the first spelling of each stays.
    static func mergedTags(_ tags: [String]) -> [String] {
        var seen = Set<String>()
        return tags.filter { seen.insert($0.lowercased()).inserted }
    }

    /// The first live sibling of every annotation.
    static func liveAnnotations(_ db: Database) throws -> [Annotation] {
        try ReplicaStore.frontiers(db, type: .annotation).values.compactMap(liveAnnotation).sorted {
            ($0.createdAt, $0.id.rawValue) < ($1.createdAt, $1.id.rawValue)
        }
    }
}
