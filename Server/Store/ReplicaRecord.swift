import Foundation
import GRDB

/// A row of `replicas`: a replica id bound to the first user who pushed with it.
struct ReplicaRecord: Codable, Sendable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "replicas"

    var id: String
    var userId: Int64
    var firstSeenAt: Date
    /// The highest counter of this replica in a version the server accepted from it (migration
    /// `v3-replica-high-water`; docs/DESIGN.md, "Own counters").
    var highWater: Int64 = 0
}
