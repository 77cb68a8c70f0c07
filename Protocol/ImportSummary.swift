/// What an import (`nkserver import` or `nkclient import`) did: how many posts were new, updated or already current.
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

    /// `N posts (A new / B updated / C unchanged)`, as both command lines print it.
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

/// What importing one post did.
public enum ImportOutcome: Hashable, Sendable {
    /// No version of the post was held: the import wrote its first version.
    case new
    /// A different version was held: the import wrote one that replaces every held version.
    case updated
    /// A current, not deleted version already holds exactly this content: nothing was written.
    case unchanged
}

extension ImportSummary {
    /// Counts one post's outcome.
    public mutating func count(_ outcome: ImportOutcome) {
        switch outcome {
        case .new: new += 1
        case .updated: updated += 1
        case .unchanged: unchanged += 1
        }
    }
}

extension Post {
    /// The rule both importers follow, given the versions of this post that a store holds: unchanged when
    /// a current, not deleted version has the same content; otherwise the vector of the version to write,
    /// `merge(held).incremented(for: replica)`, which replaces every held version. Importing the same
    /// post twice changes nothing.
    public func importOutcome(over held: [RecordVersion], by replica: ReplicaID)
        -> (outcome: ImportOutcome, vector: VersionVector?)
    {
        if held.contains(where: { !$0.deleted && $0.body == .post(self) }) { return (.unchanged, nil) }
        let vector = VersionVector.merging(held.map(\.version)).incremented(for: replica)
        return (held.isEmpty ? .new : .updated, vector)
    }
}
