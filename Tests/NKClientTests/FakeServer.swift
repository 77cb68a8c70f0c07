import Foundation
import NKProtocol

@testable import NKClient

/// An in-memory server speaking the HTTP protocol, with the frontier rule, for sync engine tests.
/// Tokens are `token-USER`.
final class FakeServer: Transport, @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [Change] = []
    private var seq: Int64 = 0
    private var recorded: [HTTPRequest] = []
    /// Every request received, in order.
    var requests: [HTTPRequest] { lock.withLock { recorded } }
    private var changesCalls = 0
    private var attempts = 0
    /// The highest counter of each replica in a version it pushed and this server stored.
    private var highWater: [ReplicaID: UInt64] = [:]

    /// How the server behaves; tests change it while a sync or a watch runs, so it is read and
    /// written under the lock like everything else.
    private struct Settings {
        var rejectRule: @Sendable (RecordVersion) -> (ErrorCode, String)? = { _ in nil }
        var failChangesCall: Int?
        var revoked = false
        var busyResponses = 0
        var retryAfter: String? = "1"
        var down = false
        var readOnlyUsers: Set<String> = []
    }
    private var settings = Settings()

    private func setting<T>(_ path: WritableKeyPath<Settings, T>) -> T { lock.withLock { settings[keyPath: path] } }
    private func set<T>(_ path: WritableKeyPath<Settings, T>, _ value: T) {
        lock.withLock { settings[keyPath: path] = value }
    }

    /// Rejects a pushed version with (code, message) when it returns non-nil.
    var rejectRule: @Sendable (RecordVersion) -> (ErrorCode, String)? {
        get { setting(\.rejectRule) }
        set { set(\.rejectRule, newValue) }
    }
    /// The `/v1/changes` call (counting from 1) that fails as if the server went away.
    var failChangesCall: Int? {
        get { setting(\.failChangesCall) }
        set { set(\.failChangesCall, newValue) }
    }
    /// Answer every request with 401.
    var revoked: Bool {
        get { setting(\.revoked) }
        set { set(\.revoked, newValue) }
    }
    /// Answer this many requests with 429 and `Retry-After: retryAfter` before serving again.
    var busyResponses: Int {
        get { setting(\.busyResponses) }
        set { set(\.busyResponses, newValue) }
    }
    var retryAfter: String? {
        get { setting(\.retryAfter) }
        set { set(\.retryAfter, newValue) }
    }
    /// Fail every request as if the server were down.
    var down: Bool {
        get { setting(\.down) }
        set { set(\.down, newValue) }
    }
    /// Users whose pushes get 403 `read_only`.
    var readOnlyUsers: Set<String> {
        get { setting(\.readOnlyUsers) }
        set { set(\.readOnlyUsers, newValue) }
    }

    /// Stores versions as an import would.
    func seed(_ versions: RecordVersion...) {
        lock.withLock { for version in versions { _ = store(version) } }
    }

    /// Appends a hidden change for a version the users may not read.
    func hide(_ hidden: HiddenVersion) {
        lock.withLock {
            seq += 1
            entries.append(Change(seq: seq, hidden: hidden))
        }
    }

    var lastSeq: Int64 { lock.withLock { seq } }

    /// What the server holds, as a backup would copy it.
    struct Snapshot {
        fileprivate var entries: [Change]
        fileprivate var seq: Int64
        fileprivate var highWater: [ReplicaID: UInt64]
    }

    func snapshot() -> Snapshot { lock.withLock { Snapshot(entries: entries, seq: seq, highWater: highWater) } }

    /// Puts a snapshot back, as a restore from a backup copied into place by hand would: what was
    /// stored after it is lost, and its sequence numbers are given again.
    func restore(_ snapshot: Snapshot) {
        lock.withLock {
            entries = snapshot.entries
            seq = snapshot.seq
            highWater = snapshot.highWater
        }
    }

    /// The paths requested (by `user` only, if given), in order.
    func paths(of user: String? = nil) -> [String] {
        lock.withLock {
            recorded.filter { user == nil || $0.header("Authorization") == "Bearer token-\(user!)" }
                .map { $0.url.replacingOccurrences(of: "http://server.test", with: "") }
        }
    }

    /// How many requests came, answered or failed (while ``down`` too).
    var attemptCount: Int { lock.withLock { attempts } }

    /// How many `/v1/changes` requests were answered or failed so far.
    var changesCallCount: Int { lock.withLock { changesCalls } }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        // A long poll: ask again every 10 ms (outside the lock) for at most 200 ms.
        var answer = try lock.withLock { try handle(request) }
        guard request.url.contains("/v1/wait?") else { return answer }
        for _ in 0..<20 {
            guard answer.status == 200,
                let wait = try? Wire.makeDecoder().decode(WaitResponse.self, from: answer.body), !wait.changed
            else { return answer }
            try await Task.sleep(for: .milliseconds(10))
            answer = try lock.withLock { try handle(request, repeated: true) }
        }
        return answer
    }

    private func handle(_ request: HTTPRequest, repeated: Bool = false) throws -> HTTPResponse {
        if !repeated { attempts += 1 }
        if settings.down { throw TransportError(.unreachable, "connection refused") }
        if !repeated { recorded.append(request) }
        if settings.busyResponses > 0 {
            settings.busyResponses -= 1
            var response = try json(ErrorResponse(code: .rateLimited, message: "slow down"), status: 429)
            if let retryAfter = settings.retryAfter { response.headers["retry-after"] = retryAfter }
            return response
        }
        guard !settings.revoked, let auth = request.header("Authorization"), auth.hasPrefix("Bearer token-") else {
            return try json(ErrorResponse(code: .unauthorized, message: "the token is not valid"), status: 401)
        }
        let user = String(auth.dropFirst("Bearer token-".count))
        let url = URLComponents(string: request.url)!
        let parts = url.path.split(separator: "/").map(String.init)
        let route = parts.first == "v1" ? Array(parts.dropFirst()) : parts
        switch (request.method, route.first ?? "") {
        case (.post, "push") where settings.readOnlyUsers.contains(user):
            return try json(ErrorResponse(code: .readOnly, message: "this account is read-only"), status: 403)
        case (.get, "wait"):
            let since = Int64(url.queryItems?.first { $0.name == "since" }?.value ?? "0") ?? 0
            return try json(WaitResponse(changed: seq > since, latest: seq))
        case (.post, "push"):
            let push = try Wire.makeDecoder().decode(PushRequest.self, from: request.body ?? Data())
            let results = push.versions.map { version -> PushItemResult in
                if let (code, message) = settings.rejectRule(version) {
                    return PushItemResult(
                        type: version.type, id: version.id, version: version.version, status: .rejected, code: code,
                        message: message)
                }
                var stored = version
                stored.editor = user
                let status = store(stored)
                if status != .unchanged {
                    highWater[push.replica] = max(highWater[push.replica] ?? 0, version.version[push.replica])
                }
                return PushItemResult(type: version.type, id: version.id, version: version.version, status: status)
            }
            return try json(PushResponse(results: results))
        case (.get, "changes"):
            changesCalls += 1
            if changesCalls == settings.failChangesCall { throw TransportError(.unreachable, "connection refused") }
            let query = Dictionary(uniqueKeysWithValues: (url.queryItems ?? []).map { ($0.name, $0.value ?? "") })
            let since = Int64(query["since"] ?? "0") ?? 0
            guard since <= seq else {
                return try json(ErrorResponse(code: .invalidCursor, message: "ahead of this server"), status: 400)
            }
            let limit = Int(query["limit"] ?? "500") ?? 500
            let after = entries.filter { $0.seq > since }.sorted { $0.seq < $1.seq }
            let page = Array(after.prefix(limit))
            let named = query["replica"].map { highWater[ReplicaID($0)] ?? 0 }
            return try json(
                PullResponse(
                    changes: page, next: page.last?.seq ?? since, more: after.count > limit, latest: seq,
                    replicaHighWater: named))
        case (.get, "records") where route.count == 3:
            let (type, id) = (route[1], route[2])
            let versions = entries.compactMap(\.record).filter { $0.type.rawValue == type && $0.id == id }
            if versions.isEmpty {
                return try json(ErrorResponse(code: .notFound, message: "no such record"), status: 404)
            }
            return try json(RecordResponse(versions: versions))
        default:
            return try json(ErrorResponse(code: .notFound, message: "no route"), status: 404)
        }
    }

    /// The frontier rule, as the server applies it.
    private func store(_ version: RecordVersion) -> PushStatus {
        let held = entries.compactMap(\.record).filter { $0.type == version.type && $0.id == version.id }
        let outcome = Frontier.apply(version.version, to: held.map(\.version))
        switch outcome.status {
        case .unchanged: return .unchanged
        case .applied, .conflict:
            entries.removeAll { entry in
                guard let record = entry.record else { return false }
                return record.type == version.type && record.id == version.id
                    && outcome.removed.contains(record.version)
            }
            seq += 1
            entries.append(Change(seq: seq, record: version))
            return outcome.status == .applied ? .applied : .conflict
        }
    }

    private func json<T: Encodable>(_ value: T, status: Int = 200) throws -> HTTPResponse {
        HTTPResponse(status: status, body: try Wire.makeEncoder().encode(value))
    }
}
