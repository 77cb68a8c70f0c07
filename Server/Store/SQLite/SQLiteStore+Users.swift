import Foundation
import GRDB
import NKProtocol

extension SQLiteStore {
    /// Adds a user and returns their new token. Only the token's SHA-256 is stored.
    ///
    /// - Throws: ``ServerError`` `invalid_user_name` or `user_exists`.
    public func addUser(name: String, readOnly: Bool) async throws -> String {
        try AccountNames.checkUser(name)
        let token = Token.generate()
        let user = UserRecord(
            name: name, tokenHash: Token.hash(token), readOnly: readOnly, createdAt: Date(), revokedAt: nil)
        try await Self.wrap {
            try await pool.write { db in
                if try UserRecord.filter(UserRecord.Columns.name == name).fetchCount(db) > 0 {
                    throw ServerError(.userExists, "a user named '\(name)' already exists")
                }
                var user = user
                try user.insert(db)
            }
        }
        return token
    }

    /// Every user, by name.
    public func users() async throws -> [UserSummary] {
        try await Self.wrap {
            try await pool.read { db in
                try UserRecord.order(UserRecord.Columns.name).fetchAll(db).map {
                    UserSummary(name: $0.name, readOnly: $0.readOnly, createdAt: $0.createdAt, revokedAt: $0.revokedAt)
                }
            }
        }
    }

    /// Revokes a user's token at once. Revoking a revoked user changes nothing.
    ///
    /// - Returns: false when the user was already revoked.
    /// - Throws: ``ServerError`` `unknown_user`.
    @discardableResult
    public func revokeUser(name: String) async throws -> Bool {
        try AccountNames.checkUser(name)
        return try await Self.wrap {
            try await pool.write { db in
                guard var user = try UserRecord.filter(UserRecord.Columns.name == name).fetchOne(db) else {
                    throw ServerError(.unknownUser, "there is no user named '\(name)'")
                }
                guard user.revokedAt == nil else { return false }
                user.revokedAt = Date()
                try user.update(db)
                return true
            }
        }
    }

    /// Gives a user a new token and returns it; the old one stops working at once. Rotating the
    /// token of a revoked user gives them access again.
    ///
    /// - Throws: ``ServerError`` `unknown_user`.
    public func rotateToken(name: String) async throws -> String {
        try AccountNames.checkUser(name)
        let token = Token.generate()
        try await Self.wrap {
            try await pool.write { db in
                guard var user = try UserRecord.filter(UserRecord.Columns.name == name).fetchOne(db) else {
                    throw ServerError(.unknownUser, "there is no user named '\(name)'")
                }
                user.tokenHash = Token.hash(token)
                user.revokedAt = nil
                try user.update(db)
            }
        }
        return token
    }

    /// The user whose valid (not revoked) token this is, or nil.
    public func authenticate(token: String) async throws -> AuthenticatedUser? {
        let hash = Token.hash(token)
        return try await Self.wrap {
            try await pool.read { db in
                try UserRecord
                    .filter(UserRecord.Columns.tokenHash == hash && UserRecord.Columns.revokedAt == nil)
                    .fetchOne(db)
                    .flatMap { record in
                        record.id.map { AuthenticatedUser(id: $0, name: record.name, readOnly: record.readOnly) }
                    }
            }
        }
    }
}
