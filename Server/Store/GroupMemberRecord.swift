import Foundation
import GRDB

/// A row of `groupMembers`: one user in one group.
struct GroupMemberRecord: Codable, Sendable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "groupMembers"

    var groupId: Int64
    var userId: Int64
    var addedAt: Date
}
