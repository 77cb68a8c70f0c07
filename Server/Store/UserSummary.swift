import Foundation

/// What `user list` shows of a user: never the token.
public struct UserSummary: Hashable, Sendable {
    public var name: String
    public var readOnly: Bool
    public var createdAt: Date
    /// When the user's token was revoked; nil while it is valid.
    public var revokedAt: Date?

    public init(name: String, readOnly: Bool, createdAt: Date, revokedAt: Date?) {
        self.name = name
        self.readOnly = readOnly
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }
}
