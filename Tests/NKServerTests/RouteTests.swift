import Foundation
import Hummingbird
import HummingbirdTesting
import NKProtocol
import NKTestTraits
import Testing

@testable import NKServer

@Suite("HTTP routes", .tags(.unit))
struct RouteTests {
    /// A store with the sample post and a user, and the application on it.
    struct World {
        let fixture: StoreFixture
        let token: String
        let configuration: ServerConfiguration

        init() async throws {
            fixture = try await StoreFixture()
            _ = try await fixture.store.importPosts([Sample.post])
            token = try await fixture.store.addUser(name: "alice")
            configuration = ServerConfiguration(databasePath: fixture.databasePath, port: 0)
        }

        /// Runs `body` against the application on a live server on 127.0.0.1, port 0, closed at the end.
        func test(_ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
            let app = buildApplication(configuration: configuration, store: fixture.store)
            try await app.test(.live, body)
        }

        func auth(_ token: String? = nil) -> HTTPFields {
            [.authorization: "Bearer \(token ?? self.token)"]
        }
    }

    static func decode<T: Decodable>(_ type: T.Type, _ response: TestResponse) throws -> T {
        try Wire.makeDecoder().decode(T.self, from: Data(response.body.readableBytesView))
    }

    static func errorCode(_ response: TestResponse) throws -> ErrorCode {
        try decode(ErrorResponse.self, response).error.code
    }

    static func body(_ value: some Encodable) throws -> ByteBuffer {
        ByteBuffer(bytes: try Wire.makeEncoder().encode(value))
    }

    @Test func healthNeedsNoToken() async throws {
        let world = try await World()
        try await world.test { client in
            let response = try await client.execute(uri: "/health", method: .get)
            #expect(response.status == .ok)
            #expect(try Self.decode(HealthResponse.self, response) == HealthResponse())
            #expect(response.headers[.init("NK-Protocol")!] == "1")
            // The route tests' live server (HummingbirdTesting binds `localhost`, port 0) is reachable
            // from this machine only.
            #expect(ListeningSockets.addresses(port: try #require(client.port)) == ["127.0.0.1"])
        }
    }

    @Test func missingTokenIs401() async throws {
        let world = try await World()
        try await world.test { client in
            let response = try await client.execute(uri: "/v1/me", method: .get)
            #expect(response.status == .unauthorized)
            let error = try Self.decode(ErrorResponse.self, response).error
            #expect(error.code == .unauthorized)
            #expect(error.message.contains("missing"))
        }
    }

    @Test func wrongTokenIs401() async throws {
        let world = try await World()
        try await world.test { client in
            let response = try await client.execute(uri: "/v1/me", method: .get, headers: world.auth("not-a-token"))
            #expect(response.status == .unauthorized)
            let error = try Self.decode(ErrorResponse.self, response).error
            #expect(error.code == .unauthorized)
            #expect(error.message.contains("invalid or revoked"))
        }
    }

    @Test func revokedTokenIs401AtOnce() async throws {
        let world = try await World()
        try await world.test { client in
            let before = try await client.execute(uri: "/v1/me", method: .get, headers: world.auth())
            try await world.fixture.store.revokeUser(name: "alice")
            let after = try await client.execute(uri: "/v1/me", method: .get, headers: world.auth())
            #expect(before.status == .ok)
            #expect(try Self.decode(MeResponse.self, before) == MeResponse(user: "alice", readOnly: false))
            #expect(after.status == .unauthorized)
        }
    }

    @Test func invalidJSONIs400() async throws {
        let world = try await World()
        try await world.test { client in
            let response = try await client.execute(
                uri: "/v1/push", method: .post, headers: world.auth(), body: ByteBuffer(string: "{\"replica\":"))
            #expect(response.status == .badRequest)
            #expect(try Self.errorCode(response) == .invalidJSON)
        }
    }

    /// Found by `nkreliability hostile`: invalid UTF-8 in a key the decoder skips was accepted.
    @Test func invalidUTF8AnywhereInThePushIs400() async throws {
        let world = try await World()
        var buffer = ByteBuffer(string: "{\"replica\":\"r1\",\"versions\":[],\"x\":\"")
        buffer.writeBytes([0xFF, 0xFE, 0xC3, 0x28])
        buffer.writeString("\"}")
        let body = buffer
        try await world.test { client in
            let response = try await client.execute(uri: "/v1/push", method: .post, headers: world.auth(), body: body)
            #expect(response.status == .badRequest)
            #expect(try Self.errorCode(response) == .invalidJSON)
        }
    }

    @Test func missingFieldIsNamed() async throws {
        let world = try await World()
        try await world.test { client in
            let response = try await client.execute(
                uri: "/v1/push", method: .post, headers: world.auth(), body: ByteBuffer(string: "{\"replica\":\"r1\"}"))
            #expect(response.status == .badRequest)
            let error = try Self.decode(ErrorResponse.self, response).error
            #expect(error.code == .invalidJSON)
            #expect(error.message.contains("'versions'"))
        }
    }

    @Test func negativeVectorCounterIs400() async throws {
        let world = try await World()
        let valid = String(
            decoding: try Wire.makeEncoder().encode(
                PushRequest(replica: ReplicaID("r1"), versions: [Sample.postVersion(["r1": 1])])),
            as: UTF8.self)
        let json = valid.replacingOccurrences(of: "\"r1\":1", with: "\"r1\":-1")
        #expect(json.contains("\"r1\":-1"))
        try await world.test { client in
            let response = try await client.execute(
                uri: "/v1/push", method: .post, headers: world.auth(), body: ByteBuffer(string: json))
            #expect(response.status == .badRequest)
            let error = try Self.decode(ErrorResponse.self, response).error
            #expect(error.code == .invalidJSON)
            #expect(error.message.contains("versions[0].version"))
        }
    }

    @Test func bodyOverTheLimitIs413AndExactlyTheLimitIsAccepted() async throws {
        let world = try await World()
        // A valid push padded with an ignored key to exactly the limit.
        let prefix = "{\"replica\":\"r1\",\"versions\":[],\"padding\":\""
        let suffix = "\"}"
        let padding = String(repeating: "x", count: Wire.maxBodyBytes - prefix.utf8.count - suffix.utf8.count)
        let exact = prefix + padding + suffix
        let over = prefix + padding + "x" + suffix
        #expect(exact.utf8.count == Wire.maxBodyBytes)
        try await world.test { client in
            let accepted = try await client.execute(
                uri: "/v1/push", method: .post, headers: world.auth(), body: ByteBuffer(string: exact))
            let refused = try await client.execute(
                uri: "/v1/push", method: .post, headers: world.auth(), body: ByteBuffer(string: over))
            #expect(accepted.status == .ok)
            #expect(try Self.decode(PushResponse.self, accepted).results.isEmpty)
            #expect(refused.status == .contentTooLarge)
            #expect(try Self.errorCode(refused) == .bodyTooLarge)
        }
    }

    @Test func batchTooLargeIs400() async throws {
        let world = try await World()
        let versions = Array(repeating: Sample.postVersion(["r1": 1]), count: Wire.maxPushBatch + 1)
        let body = try Self.body(PushRequest(replica: ReplicaID("r1"), versions: versions))
        try await world.test { client in
            let response = try await client.execute(uri: "/v1/push", method: .post, headers: world.auth(), body: body)
            #expect(response.status == .badRequest)
            #expect(try Self.errorCode(response) == .batchTooLarge)
        }
        let page = try await world.fixture.store.changes(
            user: AuthenticatedUser(id: 1, name: "alice", readOnly: false), since: 0, limit: 10)
        #expect(page.changes.count == 1)
    }

    @Test func unknownRouteIs404() async throws {
        let world = try await World()
        try await world.test { client in
            let response = try await client.execute(uri: "/v2/nothing", method: .get)
            #expect(response.status == .notFound)
            #expect(try Self.errorCode(response) == .notFound)
        }
    }

    @Test func badCursorIs400() async throws {
        let world = try await World()
        try await world.test { client in
            let response = try await client.execute(uri: "/v1/changes?since=abc", method: .get, headers: world.auth())
            #expect(response.status == .badRequest)
            #expect(try Self.errorCode(response) == .invalidCursor)
        }
    }

    @Test func readOnlyUserPushIs403() async throws {
        let world = try await World()
        let reader = try await world.fixture.store.addUser(name: "reader", readOnly: true)
        let body = try Self.body(PushRequest(replica: ReplicaID("r9"), versions: [Sample.postVersion(["r9": 1])]))
        try await world.test { client in
            let response = try await client.execute(
                uri: "/v1/push", method: .post, headers: world.auth(reader), body: body)
            #expect(response.status == .forbidden)
            #expect(try Self.errorCode(response) == .readOnly)
        }
    }

    @Test func happyPushThenPull() async throws {
        let world = try await World()
        let note = try Sample.annotation(note: "Worth a follow-up.")
        let push = PushRequest(replica: ReplicaID("r1"), versions: [Sample.annotationVersion(note, ["r1": 1])])
        try await world.test { client in
            let pushed = try await client.execute(
                uri: "/v1/push", method: .post, headers: world.auth(), body: try Self.body(push))
            #expect(pushed.status == .ok)
            let results = try Self.decode(PushResponse.self, pushed).results
            #expect(results.map(\.status) == [.applied])

            let pulled = try await client.execute(
                uri: "/v1/changes?since=0&limit=1", method: .get, headers: world.auth())
            #expect(pulled.status == .ok)
            let first = try Self.decode(PullResponse.self, pulled)
            #expect(first.changes.count == 1)
            #expect(first.more)

            let rest = try await client.execute(
                uri: "/v1/changes?since=\(first.next)", method: .get, headers: world.auth())
            let second = try Self.decode(PullResponse.self, rest)
            #expect(second.more == false)
            let record = try #require(second.changes.last?.record)
            #expect(record.id == note.id.rawValue)
            #expect(record.editor == "alice")

            let fetched = try await client.execute(
                uri: "/v1/records/annotation/\(note.id.rawValue)", method: .get, headers: world.auth())
            #expect(try Self.decode(RecordResponse.self, fetched).versions == [record])

            let missing = try await client.execute(
                uri: "/v1/records/annotation/\(AnnotationID.random().rawValue)", method: .get, headers: world.auth())
            #expect(missing.status == .notFound)
            #expect(try Self.errorCode(missing) == .notFound)
        }
    }
}
