import Foundation
import NKProtocol
import NKTestTraits
import Testing

@testable import NKClient

/// Records the waits a ``RetryPolicy`` asks for instead of sleeping.
final class WaitRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var recorded: [(Duration, Int)] = []
    private var slept: [Duration] = []

    var policy: RetryPolicy {
        RetryPolicy(
            onWait: { delay, attempt in self.lock.withLock { self.recorded.append((delay, attempt)) } },
            sleep: { delay in self.lock.withLock { self.slept.append(delay) } })
    }

    var attempts: [Int] { lock.withLock { recorded.map(\.1) } }
    var sleeps: [Duration] { lock.withLock { slept } }
}

@Suite(.tags(.unit)) struct RetryTests {
    @Test(
        arguments: [
            ("120", 120), (" 3 ", 3), ("0", 0), ("abc", nil), ("", nil), ("-5", nil), ("1.5", nil),
        ] as [(String, Int?)])
    func retryAfterSecondsAreParsed(text: String, seconds: Int?) {
        #expect(RetryPolicy.seconds(retryAfter: text) == seconds)
    }

    @Test func retryAfterAsAnHTTPDateCountsFromNow() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        let text = formatter.string(from: now.addingTimeInterval(7))
        #expect(RetryPolicy.seconds(retryAfter: text, now: now) == 7)
        #expect(RetryPolicy.seconds(retryAfter: formatter.string(from: now.addingTimeInterval(-60)), now: now) == 0)
    }

    @Test func aWaitIsCappedAndDefaultsWhenTheHeaderIsMissing() {
        let policy = RetryPolicy()
        #expect(policy.delay(retryAfter: "3600") == .seconds(30))
        #expect(policy.delay(retryAfter: "4") == .seconds(4))
        #expect(policy.delay(retryAfter: nil) == .seconds(1))
        #expect(policy.delay(retryAfter: "soon") == .seconds(1))
    }

    @Test func backoffDoublesUpToItsCapAndResets() {
        var backoff = Backoff(initial: .milliseconds(500), maximum: .seconds(10))
        let waits = (0..<7).map { _ in backoff.next() }
        #expect(
            waits == [
                .milliseconds(500), .seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(10), .seconds(10),
            ])
        backoff.reset()
        #expect(backoff.next() == .milliseconds(500))
    }

    @Test func a429IsRetriedAfterTheServersWaitAndThenSucceeds() async throws {
        let folder = try ScratchFolder()
        let server = FakeServer()
        server.seed(Fixtures.postVersion())
        let alice = try Fixtures.replica(in: folder)
        try alice.annotate(post: Fixtures.post.id.rawValue, quote: "hard currency", note: "n")
        server.busyResponses = 2
        server.retryAfter = "2"
        let recorder = WaitRecorder()

        let summary = try await SyncEngine(replica: alice, transport: server, retryPolicy: recorder.policy).run()

        #expect(summary.pushed == 1)
        #expect(recorder.sleeps == [.seconds(2), .seconds(2)])
        #expect(recorder.attempts == [1, 2])
        // The first request (the pull before the push) was answered 429 twice, then served; the
        // push went once.
        #expect(server.requests.filter { $0.method == .get }.count >= 3)
        #expect(server.requests.filter { $0.method == .post }.count == 1)
        #expect(try alice.status().pending == 0)
    }

    @Test func aServerThatStaysBusyGivesAClearErrorAfterTheCap() async throws {
        let server = FakeServer()
        server.busyResponses = 100
        let recorder = WaitRecorder()
        let api = ServerAPI(
            server: "http://server.test", token: "token-alice", transport: server, retryPolicy: recorder.policy)
        await #expect {
            try await api.me()
        } throws: { error in
            let error = error as? ClientError
            return error?.code == .rateLimited && error?.message.contains("busy") == true
                && error?.message.contains("5 retries") == true
        }
        #expect(server.requests.count == 6)
        #expect(recorder.attempts == [1, 2, 3, 4, 5])
    }

    @Test func curlHandsTheRetryAfterHeaderToTheRetryPolicy() async throws {
        let server = try TinyHTTPServer(
            status: 429, body: #"{"error":{"code":"rate_limited","message":"slow"}}"#, headers: ["Retry-After: 7"])
        defer { server.stop() }
        let recorder = WaitRecorder()
        var policy = recorder.policy
        policy.maxRetries = 1
        let api = ServerAPI(
            server: "http://127.0.0.1:\(server.port)", token: "t", transport: CurlTransport(), retryPolicy: policy)
        await #expect {
            try await api.me()
        } throws: { error in
            (error as? ClientError)?.code == .rateLimited
        }
        #expect(recorder.sleeps == [.seconds(7)])
        #expect(server.requests.count == 2)
    }

    @Test func curlResponsesCarryTheirHeaders() async throws {
        let server = try TinyHTTPServer(headers: ["X-Test: one two"])
        defer { server.stop() }
        let response = try await CurlTransport().send(
            HTTPRequest(method: .get, url: "http://127.0.0.1:\(server.port)/health"))
        #expect(response.header("x-test") == "one two")
        #expect(response.header("Content-Type") == "application/json")
    }
}
