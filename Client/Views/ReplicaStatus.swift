import Foundation
import NKProtocol

/// What `nkclient status` reports.
public struct ReplicaStatus: Encodable, Hashable, Sendable {
    public var server: String
    public var user: String
    public var replica: ReplicaID
    /// Local versions not yet acknowledged by the server.
    public var pending: Int
    /// Records with more than one sibling.
    public var conflicts: Int
    /// When the last sync finished; nil if never.
    public var lastSync: Date?
    /// The last pulled sequence number.
    public var cursor: Int64
    /// Pushed versions the server refused, kept in the `rejected` table.
    public var rejected: Int
    /// The team CA the server's certificate must chain to (`init --cacert`); nil: the system's CAs.
    public var caFile: String? = nil
    /// Whether the token may go over plain HTTP to another host (`init --insecure-http`).
    public var insecureHTTP = false

    enum CodingKeys: String, CodingKey {
        case server, user, replica, pending, conflicts, lastSync, cursor, rejected, caFile, insecureHTTP
    }

    /// All keys always present; `lastSync` and `caFile` are a text or null.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(server, forKey: .server)
        try c.encode(user, forKey: .user)
        try c.encode(replica, forKey: .replica)
        try c.encode(pending, forKey: .pending)
        try c.encode(conflicts, forKey: .conflicts)
        try c.encode(lastSync.map(ReplicaStatus.formatDate), forKey: .lastSync)
        try c.encode(cursor, forKey: .cursor)
        try c.encode(rejected, forKey: .rejected)
        try c.encode(caFile, forKey: .caFile)
        try c.encode(insecureHTTP, forKey: .insecureHTTP)
    }

    /// ISO-8601 in UTC, as the rest of the protocol writes dates.
    public static func formatDate(_ date: Date) -> String {
        ISO8601DateFormatter().string(from: date)
    }
}
