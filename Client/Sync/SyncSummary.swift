/// What a sync did.
public struct SyncSummary: Encodable, Hashable, Sendable {
    /// Local versions the server acknowledged.
    public var pushed: Int
    /// Versions from the server that changed this replica (new versions, siblings, and hidden
    /// versions that removed something).
    public var pulled: Int
    /// Records in conflict after the sync.
    public var conflicts: Int
    /// Pushed versions the server refused during this sync.
    public var rejections: [Rejection]

    public init(pushed: Int = 0, pulled: Int = 0, conflicts: Int = 0, rejections: [Rejection] = []) {
        self.pushed = pushed
        self.pulled = pulled
        self.conflicts = conflicts
        self.rejections = rejections
    }

    enum CodingKeys: String, CodingKey { case pushed, pulled, conflicts, rejected }

    /// `{"pushed": N, "pulled": N, "conflicts": N, "rejected": N}`.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(pushed, forKey: .pushed)
        try c.encode(pulled, forKey: .pulled)
        try c.encode(conflicts, forKey: .conflicts)
        try c.encode(rejections.count, forKey: .rejected)
    }
}
