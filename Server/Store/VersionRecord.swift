import Foundation
import GRDB
import NKProtocol

/// A row of `versions`: one version of the current frontier of a record, numbered in the change
/// sequence (`seq`). Versions that a newer one dominates are deleted.
struct VersionRecord: Codable, Sendable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "versions"

    var seq: Int64?
    var recordType: String
    var recordId: String
    /// The canonical text of the vector (`a:1,b:2`): unique per record, and the sibling order.
    var vector: String
    var vectorJSON: String
    var deleted: Bool
    var editor: String?
    /// The annotation's author; nil for posts.
    var author: String?
    /// The annotation's visibility; nil for posts.
    var visibility: String?
    /// The post an annotation belongs to; nil for posts.
    var postId: String?
    /// The post or annotation, as JSON text made by `Wire.makeEncoder()`.
    var body: String
    var storedAt: Date
    /// The users who could have held the record but cannot read this version, as a JSON array of
    /// names, sorted (`["bob","carol"]`): they alone are sent it as `hidden`. Nil on a version
    /// stored before the server kept them: sent as `hidden` to everyone who cannot read it.
    var formerReaders: String?

    enum Columns {
        static let seq = Column(CodingKeys.seq)
        static let recordType = Column(CodingKeys.recordType)
        static let recordId = Column(CodingKeys.recordId)
        static let vector = Column(CodingKeys.vector)
        static let visibility = Column(CodingKeys.visibility)
    }

    mutating func didInsert(_ inserted: InsertionSuccess) {
        seq = inserted.rowID
    }
}
