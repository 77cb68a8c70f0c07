import Foundation
import GRDB

/// Reads a database written under faults. A replica left with a hot journal is rolled back first,
/// as the next `nkclient` would do, so the opening is read-write; nothing is written.
enum FaultProbe {
    struct Version: Hashable {
        var id: String
        var vector: String
        var note: String?
        var pending: Bool
    }

    static func open(_ path: String) throws -> DatabaseQueue {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        return try DatabaseQueue(path: path, configuration: configuration)
    }

    /// Every annotation version (`pending` is false on the server, which has no outbox).
    static func versions(_ path: String) throws -> [Version] {
        try open(path).read { db in
            let hasPending = try db.columns(in: "versions").contains { $0.name == "pending" }
            return try Row.fetchAll(
                db,
                sql: "SELECT recordId, vector, body\(hasPending ? ", pending" : ", 0 AS pending") FROM versions "
                    + "WHERE recordType = 'annotation'"
            ).map { row in
                let body: String = row["body"]
                let object = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
                return Version(
                    id: row["recordId"], vector: row["vector"], note: object?["note"] as? String,
                    pending: row["pending"])
            }
        }
    }

    static func integrityOK(_ path: String) -> Bool {
        (try? open(path).read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") }) == "ok"
    }

    /// The file's device and inode: a database deleted and made again gets another.
    static func identity(_ path: String) -> String? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return "\(info.st_dev):\(info.st_ino)"
    }
}
