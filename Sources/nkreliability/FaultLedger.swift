import Foundation

/// The writes of the disk-fault suite, Jepsen style: a write whose command succeeded is **ok** and
/// must survive; one whose command failed is **indeterminate** (it may or may not be there later);
/// a version that left the outbox is **acknowledged** and must be on the server.
struct FaultLedger {
    /// Per note id, its texts in order, with whether the command that wrote each one succeeded.
    private(set) var notes: [String: [(text: String, ok: Bool)]] = [:]
    /// Texts of `annotate` commands that failed (no id was printed).
    private(set) var failedNew: Set<String> = []
    /// `id|vector` of versions seen with `pending = 0`: acknowledged by the server.
    private(set) var acknowledged: Set<String> = []
    private var counter = 0

    var okWrites: Int { notes.values.joined().count { $0.ok } }

    mutating func text(_ label: String) -> String {
        counter += 1
        return "\(label)-w\(counter)"
    }

    mutating func wrote(_ id: String?, _ text: String, ok: Bool) {
        guard let id else {
            failedNew.insert(text)
            return
        }
        notes[id, default: []].append((text, ok))
    }

    /// Records the versions of `own` notes that are out of the outbox of the replica at `path`.
    mutating func recordAcknowledged(_ path: String, own: Set<String>) throws {
        for row in try FaultProbe.versions(path) where own.contains(row.id) && !row.pending {
            acknowledged.insert("\(row.id)|\(row.vector)")
        }
    }

    /// Acknowledged versions the server at `path` does not hold (nor a version that has seen them).
    func lostAcknowledged(server path: String) throws -> Int {
        let held = Dictionary(grouping: try FaultProbe.versions(path), by: \.id)
        return acknowledged.count { entry in
            let parts = entry.split(separator: "|", maxSplits: 1).map(String.init)
            let vector = parseVector(parts[1])
            return !(held[parts[0]] ?? []).contains { dominates(parseVector($0.vector), vector) }
        }
    }

    struct Check {
        var lost = 0
        var duplicated = 0
        var phantom = 0
        /// Failed writes that are there all the same (allowed: their outcome was unknown).
        var indeterminateKept = 0
    }

    /// What a database holds against the ledger. `notes` limits it to the ids of one replica
    /// (nil: everyone's, as on the server). Lost: a note written ok missing, or its text neither the
    /// last ok one nor a failed one written after it. Duplicated: two current versions of a note
    /// (only its author edits it). Phantom: an id or a text nobody wrote.
    func check(_ held: [FaultProbe.Version], only ids: Set<String>? = nil) -> Check {
        var result = Check()
        let byId = Dictionary(grouping: held, by: \.id)
        for (id, writes) in notes where ids?.contains(id) ?? true {
            guard let lastOK = writes.lastIndex(where: \.ok) else { continue }
            guard let versions = byId[id] else {
                result.lost += 1
                continue
            }
            if versions.count > 1 { result.duplicated += 1 }
            let acceptable = Set([writes[lastOK].text] + writes[(lastOK + 1)...].map(\.text))
            if !versions.contains(where: { acceptable.contains($0.note ?? "") }) { result.lost += 1 }
            if versions.contains(where: { $0.note != writes[lastOK].text }) { result.indeterminateKept += 1 }
        }
        let allTexts = Set(notes.values.joined().map(\.text)).union(failedNew)
        for version in held {
            if !allTexts.contains(version.note ?? "") {
                result.phantom += 1
            } else if notes[version.id] == nil {
                if failedNew.contains(version.note ?? "") { result.indeterminateKept += 1 } else { result.phantom += 1 }
            }
        }
        return result
    }
}
