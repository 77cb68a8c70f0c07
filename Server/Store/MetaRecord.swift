import GRDB

/// A row of `meta`: a server-wide setting, such as the server's own replica id.
struct MetaRecord: Codable, Sendable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "meta"

    /// The key of the server's replica id, used for the versions that `import` writes.
    static let serverReplicaIDKey = "serverReplicaID"

    var key: String
    var value: String
}
