import GRDB

extension Replica {
    /// Runs `body` in one write transaction without blocking the caller's thread.
    func writeAsync<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(ClientError) -> T {
        do {
            return try await database.write { db in try body(db) }
        } catch let error as ClientError {
            throw error
        } catch {
            throw ClientError.storage("the replica database failed", error)
        }
    }

    /// Runs `body` in one write transaction committed without waiting for the disk
    /// (`synchronous = NORMAL` in WAL mode): a power cut may lose this commit and the ones after
    /// it, never part of one, and a process crash loses nothing. Only for what the server can give
    /// again — a pull page with its cursor, a push's acknowledgements (a re-push is answered
    /// `unchanged`), the time of the last sync. The next fully synced commit (any local edit)
    /// makes these durable too.
    func writeAsync<T: Sendable>(
        syncing: RelaxedSync, _ body: @escaping @Sendable (Database) throws -> T
    ) async throws(ClientError) -> T {
        do {
            return try await database.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA synchronous = NORMAL")
                defer { try? db.execute(sql: "PRAGMA synchronous = FULL") }
                var result: T?
                try db.inTransaction {
                    result = try body(db)
                    return .commit
                }
                guard let result else { throw ClientError(.storage, "a replica transaction returned nothing") }
                return result
            }
        } catch let error as ClientError {
            throw error
        } catch {
            throw ClientError.storage("the replica database failed", error)
        }
    }

    /// Runs `body` in one read transaction without blocking the caller's thread.
    func readAsync<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(ClientError) -> T {
        do {
            return try await database.read { db in try body(db) }
        } catch let error as ClientError {
            throw error
        } catch {
            throw ClientError.storage("the replica database failed", error)
        }
    }
}

/// Marks a write that the server can give again, committed without waiting for the disk
/// (see ``Replica/writeAsync(syncing:_:)``).
enum RelaxedSync {
    case serverCanResend
}
