import GRDB
import NKProtocol

/// What one user may read: their own annotations, shared ones, and those of their groups.
/// Loaded from the database inside the transaction that uses it, so a membership change made by
/// another process is seen by the next request.
struct ReadAccess: Sendable {
    var user: String
    var groups: Set<String>

    /// The groups `user` belongs to, as they are in the database now.
    static func load(_ db: Database, user: AuthenticatedUser) throws -> ReadAccess {
        let names = try String.fetchAll(
            db,
            sql: """
                SELECT g.name FROM \(GroupRecord.databaseTableName) g
                JOIN \(GroupMemberRecord.databaseTableName) m ON m.groupId = g.id
                WHERE m.userId = ?
                """,
            arguments: [user.id])
        return ReadAccess(user: user.name, groups: Set(names))
    }

    /// Whether a version with this visibility (nil for posts) and author may be read.
    func canRead(visibility: String?, author: String?) -> Bool {
        guard let visibility else { return true }
        if author == user { return true }
        switch Visibility(rawValue: visibility) {
        case .shared: return true
        case .private, nil: return false
        case .group(let name): return groups.contains(name)
        }
    }
}
