import Foundation
import GRDB

/// A row of `groups`: a research group whose members may read its `group:NAME` annotations.
struct GroupRecord: Codable, Sendable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "groups"

    var id: Int64?
    var name: String
    var createdAt: Date

    enum Columns {
        static let name = Column(CodingKeys.name)
    }

    mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}
