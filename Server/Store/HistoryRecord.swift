import Foundation
import GRDB
import NKProtocol

/// A row of `history`: a version that a newer one superseded, moved out of `versions` with its
/// sequence number and every column, and the time it was superseded. Never copied: a version is
/// in `versions` while current and in `history` after.
struct HistoryRecord: Sendable {
    var version: VersionRecord
    var supersededAt: Date

    static let databaseTableName = "history"
}

/// A row of `importBases`: the vector of the version of a post the server's import wrote last,
/// which the next import compares the dump with (docs/DESIGN.md, "Imports respect corrections").
struct ImportBaseRecord: Codable, Hashable, Sendable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "importBases"

    var postId: String
    /// The canonical text of the vector.
    var vector: String
}

extension HistoryEntry {
    /// The entry of a stored version the user may read, current or superseded.
    init(_ row: VersionRecord, current: Bool) throws {
        self.init(record: try row.recordVersion(), current: current, storedAt: row.storedAt)
    }

    /// The history of a record as `user` may see it: each version by its own visibility (nobody
    /// sees a version they could not see when it was current), oldest first.
    ///
    /// - Throws: ``ServerError`` `not_found` when the user may read none of them.
    static func readable(
        current: [VersionRecord], superseded: [VersionRecord], by access: ReadAccess, type: RecordType
    ) throws -> [HistoryEntry] {
        let entries =
            try current.filter { $0.isReadable(by: access) }.map { try HistoryEntry($0, current: true) }
            + superseded.filter { $0.isReadable(by: access) }.map { try HistoryEntry($0, current: false) }
        guard !entries.isEmpty else {
            throw ServerError(.notFound, "there is no \(type.rawValue) with this id")
        }
        return entries.sorted(by: HistoryEntry.chronological)
    }
}

extension Post {
    /// ``importPlan(held:base:by:isImport:)`` as a server store follows it: the server's import
    /// writes versions without an editor; anyone else's have one.
    func serverImportPlan(held: [VersionRecord], base: VersionRecord?, by replica: ReplicaID) throws -> ImportPlan {
        importPlan(
            held: try held.map { try $0.recordVersion() }, base: try base?.recordVersion(), by: replica,
            isImport: { $0.editor == nil })
    }
}
