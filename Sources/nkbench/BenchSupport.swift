import Foundation
import NKClient
import NKProtocol

/// A transport that counts the requests it sends (the no-op sync must send exactly one) and the
/// time spent waiting for their answers (to split a sync into HTTP and local work).
final class CountingTransport: Transport, @unchecked Sendable {
    private let inner: CurlTransport
    private let lock = NSLock()
    private var sent = 0
    private var waited = 0.0

    init(_ inner: CurlTransport = CurlTransport()) { self.inner = inner }

    var requests: Int { lock.withLock { sent } }
    var seconds: Double { lock.withLock { waited } }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        lock.withLock { sent += 1 }
        let start = Date()
        defer {
            let elapsed = Date().timeIntervalSince(start)
            lock.withLock { waited += elapsed }
        }
        return try await inner.send(request)
    }
}

/// Records when the last push batch was acknowledged, to split a sync into its push and pull phases.
final class PhaseClock: ProgressReporter, @unchecked Sendable {
    private let lock = NSLock()
    private var lastPush: Date?

    func report(_ phase: String, completed: Int, total: Int?) {
        if phase == "pushing" { lock.withLock { lastPush = Date() } }
    }

    var pushEnded: Date? { lock.withLock { lastPush } }
}

/// A replica made in-process in a temporary folder, with a sync engine over libcurl.
struct BenchReplica: Sendable {
    let replica: Replica
    let transport: CountingTransport
    var engine: SyncEngine

    init(folder: URL, server: String, token: String, user: String) throws {
        let config = ClientConfig(server: server, token: token, user: user, replica: ReplicaID.random())
        replica = try Replica.create(home: ReplicaHome(url: folder), config: config, replacing: false)
        transport = CountingTransport()
        engine = SyncEngine(replica: replica, transport: transport)
    }

    init(opening folder: URL) throws {
        replica = try Replica.open(home: ReplicaHome(url: folder))
        transport = CountingTransport()
        engine = SyncEngine(replica: replica, transport: transport)
    }

    /// One sync; returns its summary and how long it took.
    func sync() async throws -> (SyncSummary, Double) {
        let start = Date()
        let summary = try await engine.run()
        return (summary, Date().timeIntervalSince(start))
    }
}

/// Runs blocking work (a GRDB write with its fsync) on a global queue, off the cooperative pool.
func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
    }
}

/// Median and percentiles of a sample.
enum Stats {
    static func percentile(_ values: [Double], _ fraction: Double) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        let rank = Int((fraction * Double(sorted.count - 1)).rounded())
        return sorted[min(sorted.count - 1, max(0, rank))]
    }

    static func median(_ values: [Double]) -> Double { percentile(values, 0.5) }
}

/// Writes a line to stderr.
func note(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

/// Rounds for the JSON output.
func rounded(_ value: Double, _ digits: Int = 4) -> Double {
    let scale = pow(10, Double(digits))
    return (value * scale).rounded() / scale
}
