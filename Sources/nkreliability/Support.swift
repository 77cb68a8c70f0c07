import Foundation
import GRDB
import NKTestSupport

/// The one line of figures a suite prints; `passed` decides the exit status.
struct Figures {
    var suite: String
    var values: [(String, String)] = []

    init(_ suite: String) { self.suite = suite }

    mutating func add(_ key: String, _ value: Any) { values.append((key, "\(value)")) }

    var line: String { (["suite=\(suite)"] + values.map { "\($0.0)=\($0.1)" }).joined(separator: " ") }

    /// Prints the line; throws (exit 1) with the missed targets when there are any.
    func finish(missed: [String]) throws {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
        if !missed.isEmpty {
            FileHandle.standardError.write(Data("missed: \(missed.joined(separator: "; "))\n".utf8))
            throw SuiteFailure()
        }
    }
}

struct SuiteFailure: Error, CustomStringConvertible {
    var description: String { "a target was missed" }
}

/// One stored version as read straight from a database file (replica or server).
struct HeldVersion: Hashable {
    var recordType: String
    var recordId: String
    var vector: String
    var note: String?
    var deleted: Bool
}

/// Reads the versions table of a replica or server database without going through the code under test.
enum DatabaseProbe {
    static func open(_ path: String) throws -> DatabaseQueue {
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(10)
        return try DatabaseQueue(path: path, configuration: configuration)
    }

    /// Every annotation version held, with its note text.
    static func annotations(_ path: String) throws -> [HeldVersion] {
        try open(path).read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT recordType, recordId, vector, deleted, body FROM versions WHERE recordType = 'annotation'"
            ).map { row in
                let body: String = row["body"]
                let object = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
                return HeldVersion(
                    recordType: row["recordType"], recordId: row["recordId"], vector: row["vector"],
                    note: object?["note"] as? String, deleted: row["deleted"])
            }
        }
    }

    /// `PRAGMA integrity_check` is `ok`.
    static func integrityOK(_ path: String) -> Bool {
        (try? open(path).read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") }) == "ok"
    }

    /// Vectors (canonical text) of the outbox: versions not yet acknowledged.
    static func pending(_ path: String) throws -> Set<String> {
        try open(path).read { db in
            Set(try String.fetchAll(db, sql: "SELECT recordId || '@' || vector FROM versions WHERE pending = 1"))
        }
    }

    static func cursor(_ path: String) throws -> Int64 {
        try open(path).read { db in
            Int64(try String.fetchOne(db, sql: "SELECT value FROM state WHERE key = 'cursor'") ?? "0") ?? 0
        }
    }
}

/// Resident memory of a process from /proc: (current, peak) in KiB.
func residentKiB(pid: Int32) -> (current: Int, peak: Int) {
    guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return (0, 0) }
    func field(_ name: String) -> Int {
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") }) else { return 0 }
        return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? 0
    }
    return (field("VmRSS"), field("VmHWM"))
}

func milliseconds(since start: Date) -> Int { Int(Date().timeIntervalSince(start) * 1000) }

/// A researcher set up through the real binary: `nkclient init`, then a first sync.
func makeResearcher(_ name: String, server: LiveServer) throws -> Researcher {
    let researcher = try Researcher(name)
    try researcher.ok("init", "--server", server.url, "--token", try server.addUser(name))
    try researcher.ok("sync")
    return researcher
}

extension Researcher {
    var databasePath: String { home.path("replica.sqlite") }
}

/// Runs `nkclient sync` until it succeeds (at most `attempts` times); returns whether it did.
@discardableResult
func syncToTheEnd(_ researcher: Researcher, attempts: Int = 20) -> Bool {
    for _ in 0..<attempts {
        if let result = try? researcher.run(["sync"]), result.succeeded { return true }
        Thread.sleep(forTimeInterval: 0.1)
    }
    return false
}
