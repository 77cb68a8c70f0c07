import GRDB

extension Replica {
    /// Runs `body` in one write transaction without blocking the caller's thread.
    func writeAsync<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(ClientError) -> T {
        do {
            return try await database.write { db in try body(db) }
        } catch let error as ClientError {
            throw error
        } catch {
            throw ClientError(.storage, "the replica database failed: \(error)")
        }
    }

    /// Runs `body` in one read transaction without blocking the caller's thread.
    func readAsync<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(ClientError) -> T {
        do {
            return try await database.read { db in try body(db) }
        } catch let error as ClientError {
            throw error
        } catch {
            throw ClientError(.storage, "the replica database failed: \(error)")
        }
    }
}
