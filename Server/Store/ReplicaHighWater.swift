import Foundation
import GRDB
import NKProtocol

/// The highest counter of a replica in a version the server accepted from it (docs/DESIGN.md,
/// "Own counters"). An honest replica's server never holds more than the replica sent; a client
/// that finds otherwise knows another folder uses its replica id, and stops before it could give a
/// counter twice.
enum ReplicaHighWater {
    /// The highest counter of `replica` among the pushed versions the store kept (applied or in
    /// conflict); 0 when it kept none.
    static func of(_ replica: ReplicaID, _ results: [PushItemResult]) -> Int64 {
        let kept = results.lazy.filter { $0.status == .applied || $0.status == .conflict }
        return Int64(clamping: kept.map { $0.version[replica] }.max() ?? 0)
    }
}

extension PullPageJSON {
    /// A page with `"replicaHighWater"` added: it sorts after every other key of the page, so it
    /// goes before the closing brace, as `Wire.makeEncoder()` would write it.
    static func adding(replicaHighWater: UInt64, to page: Data) -> Data {
        guard page.last == UInt8(ascii: "}") else { return page }
        var bytes = page.dropLast()
        bytes.append(contentsOf: Array(",\"replicaHighWater\":\(replicaHighWater)}".utf8))
        return Data(bytes)
    }
}

extension SQLiteStore {
    public func replicaHighWater(user: AuthenticatedUser, replica: ReplicaID) async throws -> UInt64 {
        try await Self.wrap {
            try await pool.read { db in
                let value = try Int64.fetchOne(
                    db, sql: "SELECT highWater FROM replicas WHERE id = ? AND userId = ?",
                    arguments: [replica.rawValue, user.id])
                return UInt64(max(0, value ?? 0))
            }
        }
    }

    /// Raises the replica's mark to `counter` (in the push's transaction).
    static func raiseHighWater(_ db: Database, replica: ReplicaID, to counter: Int64) throws {
        guard counter > 0 else { return }
        try db.execute(
            sql: "UPDATE replicas SET highWater = MAX(highWater, ?) WHERE id = ?",
            arguments: [counter, replica.rawValue])
    }
}
