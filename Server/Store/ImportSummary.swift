/// What an import did: how many posts were new, updated or already current.
public struct ImportSummary: Hashable, Sendable, CustomStringConvertible {
    public var new: Int
    public var updated: Int
    public var unchanged: Int

    public init(new: Int = 0, updated: Int = 0, unchanged: Int = 0) {
        self.new = new
        self.updated = updated
        self.unchanged = unchanged
    }

    /// Every post the import looked at.
    public var total: Int { new + updated + unchanged }

    /// `N posts (A new / B updated / C unchanged)`.
    public var description: String {
        "\(total) posts (\(new) new / \(updated) updated / \(unchanged) unchanged)"
    }
}
