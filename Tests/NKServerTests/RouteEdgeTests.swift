import Foundation
import Hummingbird
import HummingbirdTesting
import NKProtocol
import NKTestTraits
import Testing

@testable import NKServer

/// The HTTP edges of issue 13: a long poll outliving its token, a flood of bad tokens, requests
/// that are not HTTP.
@Suite("HTTP edges", .tags(.unit, .postgres))
struct RouteEdgeTests {
    struct World {
        let fixture: StoreFixture
        let store: CountingStore
        let alice: String
        let bob: String
        var configuration: ServerConfiguration

        init(_ kind: StoreKind = .sqlite) async throws {
            fixture = try await StoreFixture(kind)
            store = CountingStore(fixture.store)
            _ = try await fixture.store.importPosts([Sample.post])
            alice = try await fixture.store.addUser(name: "alice")
            bob = try await fixture.store.addUser(name: "bob")
            configuration = ServerConfiguration(databasePath: fixture.databasePath, port: 0)
        }

        func test(_ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
            let app = buildApplication(configuration: configuration, store: store)
            try await app.test(.live, body)
        }

        func user(_ token: String) async throws -> AuthenticatedUser {
            try #require(try await fixture.store.authenticate(token: token))
        }
    }

    static func auth(_ token: String) -> HTTPFields { [.authorization: "Bearer \(token)"] }

    static func error(_ response: TestResponse) throws -> ErrorResponse.Detail {
        try Wire.makeDecoder().decode(ErrorResponse.self, from: Data(response.body.readableBytesView)).error
    }

    // MARK: A long poll and its token

    @Test(arguments: StoreKind.available)
    func aWaitWhoseTokenIsRotatedEndsWith401InsteadOfReportingChanges(_ kind: StoreKind) async throws {
        // Given alice waiting for changes
        let world = try await World(kind)
        let latest = try await world.fixture.store.latestSequence()
        let fixture = world.fixture
        let bobUser = try await world.user(world.bob)
        try await world.test { client in
            async let answer = client.execute(
                uri: "/v1/wait?since=\(latest)&timeout=30", method: .get, headers: Self.auth(world.alice))
            try await Task.sleep(for: .milliseconds(300))
            // When her token is rotated and bob then pushes a change
            _ = try await fixture.store.rotateToken(name: "alice")
            var post = Sample.post
            post.body[0] = "A corrected first paragraph."
            let pushed = try await fixture.store.push(
                user: bobUser, replica: ReplicaID("rb"), versions: [Sample.postVersion(["rb": 1], post: post)])
            #expect(pushed.map(\.status) == [.conflict] || pushed.map(\.status) == [.applied])
            // Then the wait answers 401, not the change
            let response = try await answer
            #expect(response.status == .unauthorized)
            #expect(try Self.error(response).code == .unauthorized)
        }
    }

    @Test func aWaitWhoseTokenIsRevokedEndsWith401WhenItTimesOut() async throws {
        let world = try await World()
        let latest = try await world.fixture.store.latestSequence()
        let fixture = world.fixture
        try await world.test { client in
            async let answer = client.execute(
                uri: "/v1/wait?since=\(latest)&timeout=1", method: .get, headers: Self.auth(world.alice))
            try await Task.sleep(for: .milliseconds(200))
            try await fixture.store.revokeUser(name: "alice")
            let response = try await answer
            #expect(response.status == .unauthorized)
        }
    }

    @Test func aWaitIsCheckedOnEachTickTooNotOnlyAtItsEnd() async throws {
        var world = try await World()
        world.configuration.waitTokenRecheck = .milliseconds(200)
        let latest = try await world.fixture.store.latestSequence()
        let fixture = world.fixture
        let clock = ContinuousClock()
        let alice = world.alice
        try await world.test { client in
            let start = clock.now
            async let answer = client.execute(
                uri: "/v1/wait?since=\(latest)&timeout=30", method: .get, headers: Self.auth(alice))
            try await Task.sleep(for: .milliseconds(300))
            try await fixture.store.revokeUser(name: "alice")
            let response = try await answer
            #expect(response.status == .unauthorized)
            #expect(start.duration(to: clock.now) < .seconds(10))
        }
    }

    @Test func aWaitWithAValidTokenStillReportsChanges() async throws {
        var world = try await World()
        world.configuration.waitTokenRecheck = .milliseconds(100)
        let latest = try await world.fixture.store.latestSequence()
        let fixture = world.fixture
        let bobUser = try await world.user(world.bob)
        let alice = world.alice
        try await world.test { client in
            async let answer = client.execute(
                uri: "/v1/wait?since=\(latest)&timeout=30", method: .get, headers: Self.auth(alice))
            try await Task.sleep(for: .milliseconds(350))
            var post = Sample.post
            post.body[0] = "Another first paragraph."
            _ = try await fixture.store.push(
                user: bobUser, replica: ReplicaID("rb"), versions: [Sample.postVersion(["rb": 1], post: post)])
            let response = try await answer
            #expect(response.status == .ok)
            let wait = try Wire.makeDecoder().decode(WaitResponse.self, from: Data(response.body.readableBytesView))
            #expect(wait.changed)
        }
    }

    // MARK: Failed authentication

    @Test func aFloodOfBadTokensIsAnswered429WithoutReachingTheStore() async throws {
        var world = try await World()
        world.configuration.failedAuthBurst = 5
        world.configuration.failedAuthRate = 0.01
        let store = world.store
        let alice = world.alice
        try await world.test { client in
            // The allowance: each bad token is looked up and refused.
            for _ in 0..<5 {
                let response = try await client.execute(uri: "/v1/me", method: .get, headers: Self.auth("nope"))
                #expect(response.status == .unauthorized)
            }
            let lookups = store.authenticateCalls
            #expect(lookups == 5)
            // Past it: 429 with Retry-After and the JSON error body, and no look-up.
            for _ in 0..<20 {
                let response = try await client.execute(uri: "/v1/me", method: .get, headers: Self.auth("nope"))
                #expect(response.status == .tooManyRequests)
                #expect(Int(response.headers[.retryAfter] ?? "") ?? 0 >= 1)
                #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
                #expect(try Self.error(response).code == .rateLimited)
            }
            #expect(store.authenticateCalls == lookups)
            // A good token from another address is unaffected.
            let port = try #require(client.port)
            let request =
                "GET /v1/me HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer \(alice)\r\n"
                + "Connection: close\r\n\r\n"
            let other = try await LoopbackConnection.exchange(port: port, request, readTimeout: 10, from: "127.0.0.2")
            #expect(other.text.hasPrefix("HTTP/1.1 200"), "\(other.text)")
            #expect(other.text.contains(#""user":"alice""#))
        }
    }

    @Test func goodTokensDoNotSpendTheFailureAllowance() async throws {
        var world = try await World()
        world.configuration.failedAuthBurst = 3
        world.configuration.failedAuthRate = 0.01
        let alice = world.alice
        try await world.test { client in
            for _ in 0..<20 {
                let response = try await client.execute(uri: "/v1/me", method: .get, headers: Self.auth(alice))
                #expect(response.status == .ok)
            }
            for _ in 0..<3 {
                let response = try await client.execute(uri: "/v1/me", method: .get, headers: Self.auth("nope"))
                #expect(response.status == .unauthorized)
            }
        }
    }

    // MARK: Malformed HTTP

    @Test(arguments: [
        "GARBAGE\r\n\r\n",
        "GET /health HTTP/1.1\r\nHost: x\r\nno colon in this header\r\n\r\n",
        "\u{1}\u{2}\u{3}\u{4} not http at all\r\n\r\n",
    ])
    func malformedHTTPGetsTheJSONErrorBody(_ garbage: String) async throws {
        let world = try await World()
        try await world.test { client in
            let port = try #require(client.port)
            let outcome = try await LoopbackConnection.exchange(port: port, garbage, readTimeout: 10)
            let text = outcome.text
            #expect(text.hasPrefix("HTTP/1.1 400"), "\(text)")
            let parts = text.components(separatedBy: "\r\n\r\n")
            let head = parts[0].lowercased()
            #expect(head.contains("content-type: application/json"))
            #expect(head.contains("nk-protocol: 1"))
            let body = try #require(parts.count > 1 ? parts[1] : nil)
            let error = try Wire.makeDecoder().decode(ErrorResponse.self, from: Data(body.utf8)).error
            #expect(error.code == .badRequest)
            #expect(head.contains("content-length: \(body.utf8.count)"))
            #expect(outcome.closedByServer)
        }
    }

    @Test func aPipelinedRequestBeforeTheGarbageKeepsItsOwnAnswer() async throws {
        let world = try await World()
        let alice = world.alice
        try await world.test { client in
            let port = try #require(client.port)
            // An answer of our own (400, JSON) to the first request, then the parser error's.
            let request =
                "GET /v1/changes?limit=5000 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(alice)\r\n\r\n"
                + "GARBAGE\r\n\r\n"
            let text = try await LoopbackConnection.exchange(port: port, request, readTimeout: 10).text
            let answers = text.components(separatedBy: "HTTP/1.1 ").filter { !$0.isEmpty }
            #expect(answers.count == 2, "\(text)")
            #expect(answers.first?.hasPrefix("400") == true && answers.first?.contains("'limit'") == true)
            #expect(answers.last?.hasPrefix("400") == true && answers.last?.contains("not valid HTTP/1.1") == true)
        }
    }
}
