/// How two versions of a record are causally related.
public enum CausalOrder: String, Sendable, Hashable, CaseIterable {
    /// Both versions have seen exactly the same edits.
    case equal
    /// The left version happened before the right one: the right one has seen it.
    case before
    /// The left version happened after the right one: it has seen the right one.
    case after
    /// Neither has seen the other: they are siblings, the record is in conflict.
    case concurrent
}

/// A version vector: for each replica that edited a record, how many of its edits a version has seen.
///
/// A pure value type with no clocks and no I/O. Missing entries count as zero, and entries of
/// zero are never stored, so two vectors that have seen the same edits are always `==`.
public struct VersionVector: Hashable, Sendable, CustomStringConvertible {
    /// The counters, without zero entries.
    public private(set) var counters: [ReplicaID: UInt64]

    /// The empty vector: a version that has seen no edit.
    public init() { counters = [:] }

    /// A vector with these counters; zero counters are dropped.
    public init(_ counters: [ReplicaID: UInt64]) {
        self.counters = counters.filter { $0.value != 0 }
    }

    /// The counter of `replica` (zero when it never edited).
    public subscript(replica: ReplicaID) -> UInt64 {
        counters[replica] ?? 0
    }

    public var isEmpty: Bool { counters.isEmpty }

    /// Compares two versions: `.before` means `self` happened before `other`.
    public func compare(_ other: VersionVector) -> CausalOrder {
        var selfAhead = false
        var otherAhead = false
        for (replica, count) in counters {
            let theirs = other[replica]
            if count > theirs { selfAhead = true } else if count < theirs { otherAhead = true }
        }
        for (replica, count) in other.counters where counters[replica] == nil && count > 0 {
            otherAhead = true
        }
        switch (selfAhead, otherAhead) {
        case (false, false): return .equal
        case (true, false): return .after
        case (false, true): return .before
        case (true, true): return .concurrent
        }
    }

    /// True when `self` has seen every edit `other` has seen (after or equal).
    public func dominates(_ other: VersionVector) -> Bool {
        let order = compare(other)
        return order == .after || order == .equal
    }

    /// The pointwise maximum: a vector that has seen every edit either has seen.
    public func merging(_ other: VersionVector) -> VersionVector {
        var result = counters
        for (replica, count) in other.counters where count > result[replica] ?? 0 {
            result[replica] = count
        }
        return VersionVector(result)
    }

    /// The pointwise maximum of many vectors (the empty vector for none).
    public static func merging<S: Sequence>(_ vectors: S) -> VersionVector where S.Element == VersionVector {
        vectors.reduce(VersionVector()) { $0.merging($1) }
    }

    /// This vector with one more edit by `replica`. A counter already at `UInt64.max` (which only a
    /// misbehaving server could send; ours refuses counters over 2^53) stays there instead of
    /// trapping: the push of that edit is then refused with a clear error.
    public func incremented(for replica: ReplicaID) -> VersionVector {
        var result = counters
        let (next, overflow) = result[replica, default: 0].addingReportingOverflow(1)
        result[replica] = overflow ? UInt64.max : next
        return VersionVector(result)
    }

    /// A canonical text form, `a:1,b:3` with replicas sorted: equal vectors give equal text.
    public var canonical: String {
        counters.sorted { $0.key < $1.key }.map { "\($0.key.rawValue):\($0.value)" }.joined(separator: ",")
    }

    public var description: String { "{" + canonical + "}" }
}

extension VersionVector: Codable {
    /// Encoded as a JSON object of counters: `{"replica-a": 2, "replica-b": 1}`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let raw = try container.decode([String: UInt64].self)
        var counters: [ReplicaID: UInt64] = [:]
        for (key, value) in raw { counters[ReplicaID(key)] = value }
        self.init(counters)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        var raw: [String: UInt64] = [:]
        for (key, value) in counters { raw[key.rawValue] = value }
        try container.encode(raw)
    }
}
