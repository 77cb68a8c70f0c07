import Foundation
import GRDB

/// A row of `replicas`: a replica id bound to the first user who pushed with it.
struct ReplicaRecord: Codable, Sendable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "replicas"

    var id: String
    var userId: Int64
    var firstSeenAt: Date
}
