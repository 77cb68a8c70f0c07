/// What an import (`nkserver import` or `nkclient import`) did to each post.
public struct ImportSummary: Encodable, Hashable, Sendable, CustomStringConvertible {
    public var new: Int
    public var updated: Int
    /// Changed in the dump and corrected by researchers, in different places: merged.
    public var merged: Int
    /// Changed in the dump and corrected by researchers in the same place: both kept, as a conflict.
    public var conflicts: Int
    public var unchanged: Int

    public init(new: Int = 0, updated: Int = 0, merged: Int = 0, conflicts: Int = 0, unchanged: Int = 0) {
        self.new = new
        self.updated = updated
        self.merged = merged
        self.conflicts = conflicts
        self.unchanged = unchanged
    }

    /// Every post the import looked at.
    public var posts: Int { new + updated + merged + conflicts + unchanged }

    /// `N posts (A new / B updated / C merged / D in conflict / E unchanged)`, as both command lines print it.
    public var description: String {
        "\(posts) posts (\(new) new / \(updated) updated / \(merged) merged / \(conflicts) in conflict"
            + " / \(unchanged) unchanged)"
    }

    enum CodingKeys: String, CodingKey { case posts, new, updated, merged, conflicts, unchanged }

    /// `{"posts":N,"new":A,"updated":B,"merged":C,"conflicts":D,"unchanged":E}`.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(posts, forKey: .posts)
        try c.encode(new, forKey: .new)
        try c.encode(updated, forKey: .updated)
        try c.encode(merged, forKey: .merged)
        try c.encode(conflicts, forKey: .conflicts)
        try c.encode(unchanged, forKey: .unchanged)
    }
}

/// What importing one post did.
public enum ImportOutcome: Hashable, Sendable {
    /// No version of the post was held: the import wrote its first version.
    case new
    /// The dump changed the post and nobody had corrected it: the new version replaces the held one.
    case updated
    /// The dump changed the post and researchers corrected it elsewhere: the dump's version and a
    /// three-way merge of it with the correction, which supersedes both.
    case merged
    /// The dump changed the post where researchers corrected it: the dump's version is kept beside
    /// the correction, a conflict.
    case conflict
    /// The dump holds the post as it was last imported, or as it now is: nothing was written.
    case unchanged
}

extension ImportSummary {
    /// Counts one post's outcome.
    public mutating func count(_ outcome: ImportOutcome) {
        switch outcome {
        case .new: new += 1
        case .updated: updated += 1
        case .merged: merged += 1
        case .conflict: conflicts += 1
        case .unchanged: unchanged += 1
        }
    }
}

/// What importing one post writes (docs/DESIGN.md, "Imports respect corrections").
public struct ImportPlan: Hashable, Sendable {
    public var outcome: ImportOutcome
    /// The versions to write, in order, each applied with the frontier rule: the dump's version,
    /// then, for a merge, the merged version, which supersedes it and the correction.
    public var writes: [RecordVersion]
    /// The post's new import base, the vector of the dump's version; nil when it stays as it was.
    public var base: VersionVector?
}

extension Post {
    /// The rule both importers follow. The dump's post is compared with the version the same
    /// importer imported last (`base`), not with the current one:
    ///
    /// - nothing held: `new`;
    /// - the dump equals the base, or a current version: `unchanged` (corrections stay);
    /// - nobody changed the base since: `updated`, a version that replaces it;
    /// - otherwise the dump's version is concurrent with the corrections: merged three-way with
    ///   the one current version when their changes touch different fields and paragraphs
    ///   (`merged`: the dump's version and a merge that dominates both), else kept beside them
    ///   (`conflict`).
    ///
    /// Without a recorded base (a post imported before bases were kept, or by someone else), the
    /// held versions that `isImport` says an import wrote stand for it: if all are, the dump
    /// replaces them as before; if a researcher wrote one, a changed dump is a conflict.
    ///
    /// - Parameters:
    ///   - held: the post's frontier.
    ///   - base: the version this importer last imported, when it knows it and still holds it.
    ///   - replica: the importer's replica id, whose counter the new versions advance.
    public func importPlan(
        held: [RecordVersion], base: RecordVersion?, by replica: ReplicaID, isImport: (RecordVersion) -> Bool
    ) -> ImportPlan {
        let me = RecordBody.post(self)
        let heldVector = VersionVector.merging(held.map(\.version))
        func version(_ vector: VersionVector, _ post: Post) -> RecordVersion {
            RecordVersion(version: vector, body: .post(post))
        }
        guard !held.isEmpty else {
            let vector = heldVector.incremented(for: replica)
            return ImportPlan(outcome: .new, writes: [version(vector, self)], base: vector)
        }
        if let base, base.body == me { return ImportPlan(outcome: .unchanged, writes: [], base: nil) }
        if let current = held.first(where: { !$0.deleted && $0.body == me }) {
            return ImportPlan(outcome: .unchanged, writes: [], base: base == nil ? current.version : nil)
        }
        let uncorrected: Bool
        if let base {
            uncorrected = held.count == 1 && held[0].version == base.version
        } else {
            uncorrected = held.allSatisfy(isImport)
        }
        if uncorrected {
            let vector = heldVector.incremented(for: replica)
            return ImportPlan(outcome: .updated, writes: [version(vector, self)], base: vector)
        }
        // Concurrent with every correction: the base's vector (or none) with a new counter of ours.
        var counters = (base?.version ?? VersionVector()).counters
        counters[replica] = max(heldVector[replica], base?.version[replica] ?? 0) + 1
        let dump = version(VersionVector(counters), self)
        // The versions made since the base. A correction the importer made itself on this replica
        // carries our counter, so the dump's version would dominate it (`shadowed`): it can merge
        // with the dump, but never stand beside it as a conflict.
        let corrections = held.filter { held in !(base.map { $0.version.dominates(held.version) } ?? isImport(held)) }
        let shadowed = corrections.filter { dump.version.dominates($0.version) }
        if let base, case .post(let basePost) = base.body, corrections.count == 1, !corrections[0].deleted,
            case .post(let corrected) = corrections[0].body,
            let merged = Post.merge(base: basePost, ours: corrected, theirs: self)
        {
            let vector = corrections[0].version.merging(dump.version).incremented(for: replica)
            return ImportPlan(outcome: .merged, writes: [dump, version(vector, merged)], base: dump.version)
        }
        if !shadowed.isEmpty {
            // Nothing written: the importer's own correction stays current, the dump's change is
            // in the dump; the caller says so.
            return ImportPlan(outcome: .conflict, writes: [], base: nil)
        }
        return ImportPlan(outcome: .conflict, writes: [dump], base: dump.version)
    }
}
