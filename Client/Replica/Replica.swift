import Foundation
import GRDB
import NKProtocol

/// The local replica: `config.json` and the frontier of every record in `replica.sqlite`.
///
/// Every operation works offline and runs in a single transaction. Only the sync engine talks to
/// the server.
public struct Replica: Sendable {
    /// The folder the replica lives in.
    public let home: ReplicaHome
    /// Server, token, user and replica id.
    public internal(set) var config: ClientConfig
    let database: DatabaseQueue
    /// The clock for informational timestamps (`createdAt`, `updatedAt`, `lastSync`).
    let now: @Sendable () -> Date

    init(
        home: ReplicaHome, config: ClientConfig, database: DatabaseQueue,
        now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.home = home
        self.config = config
        self.database = database
        self.now = now
    }

    /// Opens the replica in `home`.
    ///
    /// - Throws: ``ClientError/Code/noReplica`` when the folder holds none.
    public static func open(home: ReplicaHome) throws(ClientError) -> Replica {
        let config = try home.loadConfig()
        let database = try ReplicaDatabase.open(at: home.databaseURL)
        let replica = Replica(home: home, config: config, database: database)
        // Finishes a `new-replica` that was stopped between its config and its database.
        try replica.moveRetiredEdits()
        return replica
    }

    /// Creates a new, empty replica in `home`.
    ///
    /// - Parameter replacing: when true an existing replica is removed first; otherwise an existing
    ///   one is an error (``ClientError/Code/replicaExists``).
    public static func create(home: ReplicaHome, config: ClientConfig, replacing: Bool) throws(ClientError) -> Replica {
        try checkCanCreate(home: home, replacing: replacing)
        try home.createFolder()
        if replacing { try home.removeReplicaFiles() }
        let database = try ReplicaDatabase.open(at: home.databaseURL)
        try home.saveConfig(config)
        return Replica(home: home, config: config, database: database)
    }

    /// Throws ``ClientError/Code/replicaExists`` when `home` holds a replica and `replacing` is false.
    public static func checkCanCreate(home: ReplicaHome, replacing: Bool) throws(ClientError) {
        if home.holdsReplica && !replacing {
            throw ClientError(
                .replicaExists,
                "a replica already exists in \(home.path); use --force to replace it (its unpushed changes would be lost)"
            )
        }
    }

    /// Replaces the stored token (and nothing else).
    public mutating func replaceToken(_ token: String) throws(ClientError) {
        var updated = config
        updated.token = token
        try replaceConnection(updated)
    }

    /// Saves how this replica reaches its server: the token, the server URL and the trust settings
    /// (`caFile`, `insecureHTTP`) of `updated`. Its user and replica ids must stay.
    public mutating func replaceConnection(_ updated: ClientConfig) throws(ClientError) {
        guard updated.user == config.user, updated.replica == config.replica,
            updated.retiredReplicas == config.retiredReplicas
        else {
            throw ClientError(.invalidInput, "a replica's user and replica ids cannot be changed")
        }
        try home.saveConfig(updated)
        config = updated
    }

    /// Runs `body` in one write transaction, wrapping database errors.
    func write<T>(_ body: (Database) throws -> T) throws(ClientError) -> T {
        try ClientError.wrappingStorage("the replica database failed") {
            try database.write { db in try body(db) }
        }
    }

    /// Runs `body` in one read transaction, wrapping database errors.
    func read<T>(_ body: (Database) throws -> T) throws(ClientError) -> T {
        try ClientError.wrappingStorage("the replica database failed") {
            try database.read { db in try body(db) }
        }
    }
}
