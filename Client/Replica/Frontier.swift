import NKProtocol

/// The frontier rule of DESIGN.md, as pure functions on version vectors.
enum Frontier {
    /// What applying an incoming version to a frontier does.
    struct Outcome: Hashable, Sendable {
        var status: ApplyStatus
        /// Held versions the incoming one dominates: they leave the frontier.
        var removed: [VersionVector]
        /// The held version equal to the incoming one, if any.
        var equal: VersionVector?
    }

    /// Applies `incoming` to the `held` frontier: ignored when a held version dominates it (after
    /// or equal); otherwise it replaces every held version it dominates and joins the rest.
    static func apply(_ incoming: VersionVector, to held: [VersionVector]) -> Outcome {
        if let dominating = held.first(where: { $0.dominates(incoming) }) {
            let equal = dominating == incoming ? dominating : nil
            return Outcome(status: .unchanged, removed: [], equal: equal)
        }
        let removed = held.filter { incoming.dominates($0) }
        let remaining = held.count - removed.count
        return Outcome(status: remaining > 0 ? .conflict : .applied, removed: removed, equal: nil)
    }

    /// The held versions a hidden version's vector dominates: they are dropped.
    static func hide(_ hidden: VersionVector, from held: [VersionVector]) -> [VersionVector] {
        held.filter { hidden.dominates($0) }
    }

    /// The vector of a local edit: it has seen every sibling, plus one edit by `replica`.
    static func localEdit(of held: [VersionVector], by replica: ReplicaID) -> VersionVector {
        VersionVector.merging(held).incremented(for: replica)
    }

    /// Deterministic sibling order: by the canonical text of the vector.
    static func siblingOrder(_ lhs: VersionVector, _ rhs: VersionVector) -> Bool {
        lhs.canonical < rhs.canonical
    }
}

/// What applying a version to a replica did.
enum ApplyStatus: String, Sendable, Hashable {
    /// A held version dominates (or equals) it: nothing changed.
    case unchanged
    /// It replaced what it dominates and is now the only version.
    case applied
    /// It was kept beside concurrent versions: the record is in conflict.
    case conflict
}
