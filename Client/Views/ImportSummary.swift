/// What `nkclient import` did: how many posts were new, updated or already current.
public struct ImportSummary: Encodable, Hashable, Sendable, CustomStringConvertible {
    public var new: Int
    public var updated: Int
    public var unchanged: Int

    public init(new: Int = 0, updated: Int = 0, unchanged: Int = 0) {
        self.new = new
        self.updated = updated
        self.unchanged = unchanged
    }

    /// Every post the import looked at.
    public var posts: Int { new + updated + unchanged }

    /// `N posts (A new / B updated / C unchanged)`, as `nkserver import` says it.
    public var description: String {
        "\(posts) posts (\(new) new / \(updated) updated / \(unchanged) unchanged)"
    }

    enum CodingKeys: String, CodingKey { case posts, new, updated, unchanged }

    /// `{"posts":N,"new":A,"updated":B,"unchanged":C}`.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(posts, forKey: .posts)
        try c.encode(new, forKey: .new)
        try c.encode(updated, forKey: .updated)
        try c.encode(unchanged, forKey: .unchanged)
    }
}
