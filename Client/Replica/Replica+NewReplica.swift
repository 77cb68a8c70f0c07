import Foundation
import GRDB
import NKProtocol

/// What `nkclient new-replica` did.
public struct NewReplicaSummary: Hashable, Sendable, Encodable {
    /// The id this folder used until now; retired.
    public var retired: ReplicaID
    /// The id it uses from now on.
    public var replica: ReplicaID
    /// Unpushed changes moved to the new id; they are pushed on the next sync.
    public var pending: Int
}

extension Replica {
    /// Carries on under a new replica id, keeping every unpushed change.
    ///
    /// For a folder restored from an older copy of itself (DESIGN.md, "Own counters"): the server
    /// holds counters of the old id that this folder does not remember, and giving any of them
    /// again would give two different versions one vector. The old id is retired (never used
    /// again); each pending version loses its entry of the retired id and gains one of the new id,
    /// so it claims nothing the server cannot check and is pushed again as a new edit. Where the
    /// server holds an earlier version of the same record that this edit had seen, the two show as
    /// a conflict: nothing is swallowed, and `resolve` settles it.
    ///
    /// The config is written first (atomically), then the pending versions are moved in one
    /// transaction; if the process dies between the two, the next ``open(home:)`` finishes the move.
    public mutating func startNewReplica() throws(ClientError) -> NewReplicaSummary {
        var updated = config
        let retired = config.replica
        updated.retiredReplicas.append(retired)
        updated.replica = ReplicaID.random()
        try home.saveConfig(updated)
        config = updated
        let moved = try moveRetiredEdits()
        return NewReplicaSummary(retired: retired, replica: updated.replica, pending: moved)
    }

    /// Moves pending versions that carry an edit of a retired id to the current id, once per id.
    @discardableResult
    func moveRetiredEdits() throws(ClientError) -> Int {
        guard !config.retiredReplicas.isEmpty else { return 0 }
        let retired = Set(config.retiredReplicas)
        let replica = config.replica
        let marker = "movedRetiredEdits"
        let done = try read { db in try ReplicaStore.stateValue(db, marker) == replica.rawValue }
        if done { return 0 }
        return try write { db in
            let moved = try ReplicaStore.moveEdits(db, of: retired, to: replica)
            try ReplicaStore.setState(db, marker, replica.rawValue)
            return moved
        }
    }
}

extension ReplicaStore {
    /// Gives every pending version that carries an edit of a `retired` id a vector without those
    /// entries and with one new edit of `replica` (see ``Replica/startNewReplica()``).
    /// Returns how many versions it moved.
    static func moveEdits(_ db: Database, of retired: Set<ReplicaID>, to replica: ReplicaID) throws -> Int {
        let rows = try Row.fetchAll(
            db, sql: "SELECT recordType, recordId, vector, vectorJSON FROM versions WHERE pending = 1 ORDER BY rowid")
        let encoder = Wire.makeEncoder()
        var counter = try ownCounter(db, replica: replica)
        var moved = 0
        for row in rows {
            let canonical: String = row["vector"]
            let json: String = row["vectorJSON"]
            let vector =
                try VersionVector(canonical: canonical)
                ?? Wire.makeDecoder().decode(VersionVector.self, from: Data(json.utf8))
            guard vector.counters.keys.contains(where: retired.contains) else { continue }
            counter += 1
            moved += 1
            var counters = vector.counters.filter { !retired.contains($0.key) }
            counters[replica] = counter
            let vectorMoved = VersionVector(counters)
            try db.execute(
                sql: """
                    UPDATE versions SET vector = ?, vectorJSON = ?
                    WHERE recordType = ? AND recordId = ? AND vector = ?
                    """,
                arguments: [
                    vectorMoved.canonical, String(decoding: try encoder.encode(vectorMoved), as: UTF8.self),
                    row["recordType"],
                    row["recordId"], canonical,
                ])
        }
        try setState(db, ownCounterKey(replica), String(counter))
        return moved
    }
}
