import Foundation
import GRDB

/// A row of `users`: a researcher and the SHA-256 hex of their token.
struct UserRecord: Codable, Sendable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "users"

    var id: Int64?
    var name: String
    var tokenHash: String
    var readOnly: Bool
    var createdAt: Date
    var revokedAt: Date?

    enum Columns {
        static let name = Column(CodingKeys.name)
        static let tokenHash = Column(CodingKeys.tokenHash)
        static let revokedAt = Column(CodingKeys.revokedAt)
    }

    mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}
