import Foundation

/// One version of a record in its history: a current one or one a later version superseded.
public struct HistoryEntry: Codable, Hashable, Sendable {
    /// The version, as it travels on the wire.
    public var record: RecordVersion
    /// True while the version is in the record's frontier.
    public var current: Bool
    /// When the server stored it (or, in a replica's own history, when the replica first held
    /// it); nil when unknown.
    public var storedAt: Date?

    public init(record: RecordVersion, current: Bool, storedAt: Date?) {
        self.record = record
        self.current = current
        self.storedAt = storedAt
    }

    /// A version's time for people: the annotation's `updatedAt` (the server's clock when it took
    /// the version), else when it was stored.
    public var time: Date? {
        if case .annotation(let annotation) = record.body { return annotation.updatedAt }
        return storedAt
    }

    /// Oldest first: every version after the versions it dominates (a vector that dominates
    /// another has a larger sum of counters), then by time, then by the canonical vector.
    public static func chronological(_ a: HistoryEntry, _ b: HistoryEntry) -> Bool {
        let (sumA, sumB) = (a.record.version.counterSum, b.record.version.counterSum)
        if sumA != sumB { return sumA < sumB }
        let (timeA, timeB) = (a.time ?? .distantPast, b.time ?? .distantPast)
        if timeA != timeB { return timeA < timeB }
        return a.record.version.canonical.utf8.lexicographicallyPrecedes(b.record.version.canonical.utf8)
    }

    /// The versions of `entries` that `entry` was made from: those it dominates that no other
    /// version it dominates dominates. Two or more make it a merge.
    public static func parents(of entry: HistoryEntry, in entries: [HistoryEntry]) -> [HistoryEntry] {
        let earlier = entries.filter { entry.record.version.dominates($0.record.version) && $0 != entry }
        return earlier.filter { candidate in
            !earlier.contains { $0 != candidate && $0.record.version.dominates(candidate.record.version) }
        }
    }
}

/// `GET /v1/history/{type}/{id}`: every version of one record the server has held, current and
/// superseded, that the user may read (each by its own visibility), oldest first.
public struct HistoryResponse: Codable, Hashable, Sendable {
    public var versions: [HistoryEntry]
    public init(versions: [HistoryEntry]) { self.versions = versions }
}

extension VersionVector {
    /// The sum of the counters: larger for a vector that dominates another.
    public var counterSum: UInt64 {
        counters.values.reduce(0) { $0 &+ $1 }
    }
}
