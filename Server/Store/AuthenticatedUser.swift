/// The user a request's token belongs to: not revoked when it was checked.
public struct AuthenticatedUser: Hashable, Sendable {
    /// The row id in `users`.
    public var id: Int64
    public var name: String
    /// A read-only user may pull but not push.
    public var readOnly: Bool

    public init(id: Int64, name: String, readOnly: Bool) {
        self.id = id
        self.name = name
        self.readOnly = readOnly
    }
}
