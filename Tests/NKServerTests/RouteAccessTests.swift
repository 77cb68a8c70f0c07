import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NKProtocol
import NKTestTraits
import Testing

@testable import NKServer

@Suite("HTTP routes: access control, limits, live wait", .tags(.unit))
struct RouteAccessTests {
    /// The sample post; alice and bob in group `team`; carol outside it; `reader` read-only.
    struct World {
        let fixture: StoreFixture
        var tokens: [String: String] = [:]
        var configuration: ServerConfiguration
        /// What the application and the store log.
        let logs: CapturingLogHandler.Sink

        init(rateLimit: Double = 0, rateLimitBurst: Int = 1) async throws {
            let sink = CapturingLogHandler.Sink()
            logs = sink
            fixture = try await StoreFixture(
                .sqlite,
                logger: Logger(label: "nkserver-test") { _ in
                    CapturingLogHandler(sink: sink)
                })
            _ = try await fixture.store.importPosts([Sample.post])
            for name in ["alice", "bob", "carol"] {
                tokens[name] = try await fixture.store.addUser(name: name)
            }
            tokens["reader"] = try await fixture.store.addUser(name: "reader", readOnly: true)
            try await fixture.store.addGroup(name: "team")
            try await fixture.store.addMember(group: "team", user: "alice")
            try await fixture.store.addMember(group: "team", user: "bob")
            configuration = ServerConfiguration(
                databasePath: fixture.databasePath, port: 0, rateLimit: rateLimit, rateLimitBurst: rateLimitBurst)
        }

        /// Runs `body` against a live server on 127.0.0.1, port 0 (`.live`: one connection; `.ahc(.http)`:
        /// AsyncHTTPClient's pool, for requests at the same time).
        func test(
            _ setup: TestingSetup = .live, _ body: @Sendable (any TestClientProtocol) async throws -> Void
        ) async throws {
            let sink = logs
            var logger = Logger(label: "nkserver-test") { _ in CapturingLogHandler(sink: sink) }
            logger.logLevel = .trace
            let app = buildApplication(configuration: configuration, store: fixture.store, logger: logger)
            try await app.test(setup, body)
        }

        func auth(_ user: String) -> HTTPFields {
            [.authorization: "Bearer \(tokens[user] ?? user)"]
        }

        /// Pushes one version as `user` from `replica`, checks the response against the contract, and
        /// returns its only result.
        func push(
            _ client: some TestClientProtocol, _ user: String, _ replica: String, _ version: RecordVersion
        ) async throws -> PushItemResult {
            let body = try RouteTests.body(PushRequest(replica: ReplicaID(replica), versions: [version]))
            let response = try await client.execute(uri: "/v1/push", method: .post, headers: auth(user), body: body)
            try OpenAPIContract.check(response, path: "/v1/push", method: .post)
            #expect(response.status == .ok)
            return try #require(try RouteTests.decode(PushResponse.self, response).results.first)
        }

        func get(_ client: some TestClientProtocol, _ uri: String, as user: String?, path: String) async throws
            -> TestResponse
        {
            let response = try await client.execute(uri: uri, method: .get, headers: user.map(auth) ?? [:])
            try OpenAPIContract.check(response, path: path, method: .get)
            return response
        }
    }

    /// Every authenticated endpoint, with a request that would succeed with a valid token.
    static let endpoints: [(method: HTTPRequest.Method, uri: String, path: String)] = [
        (.get, "/v1/me", "/v1/me"),
        (.post, "/v1/push", "/v1/push"),
        (.get, "/v1/changes?since=0", "/v1/changes"),
        (.get, "/v1/records/post/\(Sample.post.id.rawValue)", "/v1/records/{type}/{id}"),
        (.get, "/v1/wait?since=0&timeout=0", "/v1/wait"),
    ]

    @Test(arguments: ["none", "wrong", "revoked", "rotated"])
    func everyEndpointRefusesABadToken(kind: String) async throws {
        let world = try await World()
        let oldToken = try #require(world.tokens["carol"])
        if kind == "revoked" { try await world.fixture.store.revokeUser(name: "carol") }
        if kind == "rotated" { _ = try await world.fixture.store.rotateToken(name: "carol") }
        let headers: HTTPFields =
            switch kind {
            case "none": [:]
            case "wrong": [.authorization: "Bearer 0123456789abcdef"]
            default: [.authorization: "Bearer \(oldToken)"]
            }
        let push = try RouteTests.body(PushRequest(replica: ReplicaID("rc"), versions: []))
        try await world.test { client in
            for endpoint in Self.endpoints {
                let response = try await client.execute(
                    uri: endpoint.uri, method: endpoint.method, headers: headers,
                    body: endpoint.method == .post ? push : nil)
                try OpenAPIContract.check(response, path: endpoint.path, method: endpoint.method)
                #expect(response.status == .unauthorized, "\(endpoint.uri)")
                #expect(try RouteTests.errorCode(response) == .unauthorized)
                #expect(response.headers[.wwwAuthenticate] == "Bearer")
            }
        }
    }

    @Test func readOnlyUserReadsEverywhereButCannotPush() async throws {
        let world = try await World()
        let push = try RouteTests.body(PushRequest(replica: ReplicaID("rr"), versions: []))
        try await world.test { client in
            for endpoint in Self.endpoints {
                let response = try await client.execute(
                    uri: endpoint.uri, method: endpoint.method, headers: world.auth("reader"),
                    body: endpoint.method == .post ? push : nil)
                try OpenAPIContract.check(response, path: endpoint.path, method: endpoint.method)
                if endpoint.method == .post {
                    #expect(response.status == .forbidden)
                    #expect(try RouteTests.errorCode(response) == .readOnly)
                } else {
                    #expect(response.status == .ok, "\(endpoint.uri)")
                }
            }
        }
    }

    @Test func anotherUsersPrivateNoteCannotBeReadEditedDeletedOrWidened() async throws {
        let world = try await World()
        let note = try Sample.annotation(note: "Alice's private thought.", visibility: .private)
        try await world.test { client in
            #expect(
                try await world.push(client, "alice", "ra", Sample.annotationVersion(note, ["ra": 1])).status
                    == .applied)

            let record = try await world.get(
                client, "/v1/records/annotation/\(note.id.rawValue)", as: "bob", path: "/v1/records/{type}/{id}")
            let changes = try await world.get(client, "/v1/changes?since=0", as: "bob", path: "/v1/changes")
            var edit = note
            edit.note = "Bob was here."
            var widened = note
            widened.visibility = .shared
            let edited = try await world.push(client, "bob", "rb", Sample.annotationVersion(edit, ["ra": 1, "rb": 1]))
            let deleted = try await world.push(
                client, "bob", "rb", Sample.annotationVersion(note, ["ra": 1, "rb": 2], deleted: true))
            let shared = try await world.push(
                client, "bob", "rb", Sample.annotationVersion(widened, ["ra": 1, "rb": 3]))

            #expect(record.status == .notFound)
            let page = try RouteTests.decode(PullResponse.self, changes)
            #expect(page.changes.allSatisfy { $0.hidden == nil })
            #expect(page.latest == page.next)
            #expect(!String(buffer: changes.body).contains("private thought"))
            #expect(!String(buffer: changes.body).contains(note.id.rawValue))
            #expect(!String(buffer: changes.body).contains("\"ra\""))
            // bob never could read the note: each push is answered as for an id that does not exist
            for result in [edited, deleted, shared] {
                #expect(result.status == .rejected)
                #expect(result.code == .unknownCausality)
            }
        }
        let held = try await world.fixture.store.changes(
            user: try #require(try await world.fixture.store.authenticate(token: world.tokens["alice"]!)),
            since: 0, limit: 10)
        #expect(held.changes.last?.record?.version == vector(["ra": 1]))
    }

    @Test func aGroupTheUserIsNotInStaysClosed() async throws {
        let world = try await World()
        let note = try Sample.annotation(note: "Team only.", visibility: .group("team"))
        try await world.test { client in
            #expect(
                try await world.push(client, "alice", "ra", Sample.annotationVersion(note, ["ra": 1])).status
                    == .applied)

            let bobReads = try await world.get(
                client, "/v1/records/annotation/\(note.id.rawValue)", as: "bob", path: "/v1/records/{type}/{id}")
            let carolReads = try await world.get(
                client, "/v1/records/annotation/\(note.id.rawValue)", as: "carol", path: "/v1/records/{type}/{id}")
            let carolPulls = try await world.get(client, "/v1/changes?since=0", as: "carol", path: "/v1/changes")
            var edit = note
            edit.note = "Carol's edit."
            let carolEdits = try await world.push(
                client, "carol", "rc", Sample.annotationVersion(edit, ["ra": 1, "rc": 1]))
            let carolWrites = try await world.push(
                client, "carol", "rc",
                Sample.annotationVersion(try Sample.annotation(visibility: .group("team")), ["rc": 2]))

            #expect(bobReads.status == .ok)
            #expect(carolReads.status == .notFound)
            #expect(try RouteTests.decode(PullResponse.self, carolPulls).changes.allSatisfy { $0.hidden == nil })
            #expect(!String(buffer: carolPulls.body).contains(note.id.rawValue))
            // decided as a new note of a group carol is not in, as for an id that does not exist
            #expect(carolEdits.code == .forbidden)
            #expect(carolEdits.message?.contains("not a member of group 'team'") == true)
            #expect(carolWrites.code == .forbidden)
        }
    }

    /// An id the user may not see answers exactly as an id that does not exist: the record read,
    /// and every push (issue 13).
    @Test func anIdTheUserMayNotSeeAnswersAsOneThatDoesNotExist() async throws {
        let world = try await World()
        let secret = try Sample.annotation(note: "Alice's private thought.", visibility: .private)
        let team = try Sample.annotation(note: "Team only.", visibility: .group("team"))
        let unknown = try Sample.annotation(note: "Nobody's.")
        try await world.test { client in
            for note in [secret, team] {
                let pushed = try await world.push(client, "alice", "ra", Sample.annotationVersion(note, ["ra": 1]))
                #expect(pushed.status == .applied)
            }
            // (carol is never sent these ids: the test knows them, as a lucky probe would)
            for note in [secret, team] {
                let hiddenRead = try await world.get(
                    client, "/v1/records/annotation/\(note.id.rawValue)", as: "carol", path: "/v1/records/{type}/{id}")
                let unknownRead = try await world.get(
                    client, "/v1/records/annotation/\(unknown.id.rawValue)", as: "carol",
                    path: "/v1/records/{type}/{id}")
                #expect(hiddenRead.status == .notFound)
                #expect(hiddenRead.status == unknownRead.status)
                #expect(String(buffer: hiddenRead.body) == String(buffer: unknownRead.body))

                // Every kind of push: an edit claiming alice's counter, one with carol's own counter
                // only, a delete, one for a group carol is not in, one with a quote not in the post
                var edit = note
                edit.note = "Carol's probe."
                var foreignGroup = edit
                foreignGroup.visibility = .group("team")
                var misquoted = edit
                misquoted.anchor!.exact = "words the post does not hold"
                let probes: [(Annotation, [String: UInt64], Bool)] = [
                    (edit, ["ra": 1, "rc": 1], false), (edit, ["rc": 1], false), (edit, ["rc": 2], true),
                    (foreignGroup, ["rc": 3], false), (misquoted, ["rc": 4], false),
                ]
                for (probe, counters, deleted) in probes {
                    var twin = probe
                    twin.id = AnnotationID.random()
                    let hidden = try await world.push(
                        client, "carol", "rc", Sample.annotationVersion(probe, counters, deleted: deleted))
                    let absent = try await world.push(
                        client, "carol", "rc", Sample.annotationVersion(twin, counters, deleted: deleted))
                    #expect(hidden.status == absent.status, "\(counters)")
                    #expect(hidden.code == absent.code, "\(counters)")
                    #expect(hidden.message == absent.message, "\(counters)")
                }
            }
        }
        // Nothing of carol's reached alice's notes, and the applied probes were logged
        let alice = try #require(try await world.fixture.store.authenticate(token: world.tokens["alice"]!))
        for note in [secret, team] {
            let held = try await world.fixture.store.record(user: alice, type: .annotation, id: note.id.rawValue)
            #expect(held.map(\.version) == [vector(["ra": 1])])
            #expect(held.map(\.editor) == ["alice"])
        }
        let logs = world.logs.text
        #expect(logs.contains("as if it did not exist"))
        #expect(logs.contains(secret.id.rawValue))
        #expect(!logs.contains("Carol's probe"))
    }

    @Test func aForgedAuthorIsReplacedByTheTokensUser() async throws {
        let world = try await World()
        let forged = try Sample.annotation(author: "alice")
        try await world.test { client in
            let result = try await world.push(client, "bob", "rb", Sample.annotationVersion(forged, ["rb": 1]))
            let fetched = try await world.get(
                client, "/v1/records/annotation/\(forged.id.rawValue)", as: "carol", path: "/v1/records/{type}/{id}")

            #expect(result.status == .applied)
            let version = try #require(try RouteTests.decode(RecordResponse.self, fetched).versions.first)
            guard case .annotation(let stored) = version.body else {
                Issue.record("not an annotation")
                return
            }
            #expect(stored.author == "bob")
            #expect(version.editor == "bob")
        }
    }

    @Test func aReplicaBoundToAnotherUserIsRefused() async throws {
        let world = try await World()
        try await world.test { client in
            _ = try await world.push(
                client, "alice", "ra", Sample.annotationVersion(try Sample.annotation(), ["ra": 1]))
            let body = try RouteTests.body(
                PushRequest(replica: ReplicaID("ra"), versions: [Sample.postVersion(["ra": 5])]))
            let response = try await client.execute(
                uri: "/v1/push", method: .post, headers: world.auth("bob"), body: body)
            try OpenAPIContract.check(response, path: "/v1/push", method: .post)

            #expect(response.status == .forbidden)
            #expect(try RouteTests.errorCode(response) == .replicaMismatch)
        }
    }

    @Test func noteLengthTagCountAndPageSizeHaveClearErrors() async throws {
        let world = try await World()
        var long = try Sample.annotation()
        long.note = String(repeating: "x", count: Limits.maxNoteLength + 1)
        var tagged = try Sample.annotation()
        tagged.tags = (0...Limits.maxTags).map { "tag\($0)" }.sorted()
        let (longNote, taggedNote) = (long, tagged)
        try await world.test { client in
            let tooLong = try await world.push(client, "alice", "ra", Sample.annotationVersion(longNote, ["ra": 1]))
            let tooMany = try await world.push(client, "alice", "ra", Sample.annotationVersion(taggedNote, ["ra": 2]))
            let page = try await world.get(
                client, "/v1/changes?limit=\(Wire.maxPullLimit + 1)", as: "alice", path: "/v1/changes")
            let fullPage = try await world.get(
                client, "/v1/changes?limit=\(Wire.maxPullLimit)", as: "alice", path: "/v1/changes")

            #expect(tooLong.code == .invalidRecord)
            #expect(tooLong.message?.contains("note") == true)
            #expect(tooMany.code == .invalidRecord)
            #expect(tooMany.message?.contains("tags") == true)
            #expect(page.status == .badRequest)
            #expect(try RouteTests.errorCode(page) == .badRequest)
            #expect(fullPage.status == .ok)
        }
    }

    @Test func waitAnswersAtOnceTimesOutAndRefusesBadValues() async throws {
        let world = try await World()
        try await world.test { client in
            let now = try await world.get(client, "/v1/wait?since=0", as: "alice", path: "/v1/wait")
            let latest = try RouteTests.decode(WaitResponse.self, now).latest
            let idle = try await world.get(
                client, "/v1/wait?since=\(latest)&timeout=1", as: "alice", path: "/v1/wait")
            let tooLong = try await world.get(
                client, "/v1/wait?since=0&timeout=\(Wire.maxWaitSeconds + 1)", as: "alice", path: "/v1/wait")
            let noSince = try await world.get(client, "/v1/wait", as: "alice", path: "/v1/wait")
            let ahead = try await world.get(
                client, "/v1/wait?since=\(latest + 10)&timeout=1", as: "alice", path: "/v1/wait")

            #expect(try RouteTests.decode(WaitResponse.self, now) == WaitResponse(changed: true, latest: latest))
            #expect(latest >= 1)
            #expect(try RouteTests.decode(WaitResponse.self, idle) == WaitResponse(changed: false, latest: latest))
            #expect(tooLong.status == .badRequest)
            #expect(try RouteTests.errorCode(tooLong) == .badRequest)
            #expect(noSince.status == .badRequest)
            #expect(ahead.status == .badRequest)
            #expect(try RouteTests.errorCode(ahead) == .invalidCursor)
        }
    }

    @Test func waitWakesWhenAnotherUserPushes() async throws {
        let world = try await World()
        let latest = try await world.fixture.store.latestSequence()
        // Two requests at once: the push needs a connection of its own (on the `.live` client's one
        // connection it would be pipelined behind the long poll, and answered only after it).
        try await world.test(.ahc(.http)) { client in
            let clock = ContinuousClock()
            let start = clock.now
            async let woken = client.execute(
                uri: "/v1/wait?since=\(latest)&timeout=30", method: .get, headers: world.auth("bob"))
            try await Task.sleep(for: .milliseconds(200))
            _ = try await world.push(
                client, "alice", "ra", Sample.annotationVersion(try Sample.annotation(), ["ra": 1]))
            let response = try await woken

            try OpenAPIContract.check(response, path: "/v1/wait", method: .get)
            #expect(
                try RouteTests.decode(WaitResponse.self, response) == WaitResponse(changed: true, latest: latest + 1))
            // Woken by the push, not by the 30 s timeout (a generous bound: the machine may be loaded).
            #expect(start.duration(to: clock.now) < .seconds(25))
        }
    }

    @Test func overTheRateLimitIs429WithRetryAfterPerUser() async throws {
        // One token an hour: no refill can happen while the test runs, however slow the machine.
        let world = try await World(rateLimit: 1.0 / 3600, rateLimitBurst: 2)
        try await world.test { client in
            let first = try await world.get(client, "/v1/me", as: "alice", path: "/v1/me")
            let second = try await world.get(client, "/v1/me", as: "alice", path: "/v1/me")
            let third = try await world.get(client, "/v1/me", as: "alice", path: "/v1/me")
            let otherUser = try await world.get(client, "/v1/me", as: "bob", path: "/v1/me")
            let health = try await client.execute(uri: "/health", method: .get)

            #expect(first.status == .ok)
            #expect(second.status == .ok)
            #expect(third.status == .tooManyRequests)
            #expect(try RouteTests.errorCode(third) == .rateLimited)
            let retryAfter = try #require(third.headers[.retryAfter].flatMap { Int($0) })
            #expect(retryAfter >= 1)
            #expect(otherUser.status == .ok)
            #expect(health.status == .ok)
        }
    }

    @Test func tokensAndNoteTextsNeverReachTheLogs() async throws {
        let world = try await World()
        let secret = "Confidential remark about the bridge."
        let note = try Sample.annotation(note: secret, visibility: .private)
        let tooLong = try Sample.annotation(note: secret + String(repeating: "!", count: Limits.maxNoteLength))
        try await world.test { client in
            _ = try await world.push(client, "alice", "ra", Sample.annotationVersion(note, ["ra": 1]))
            _ = try await world.push(client, "alice", "ra", Sample.annotationVersion(tooLong, ["ra": 2]))
            _ = try await world.get(client, "/v1/changes?since=0", as: "alice", path: "/v1/changes")
            _ = try await world.get(client, "/v1/changes?since=0", as: "bob", path: "/v1/changes")
            _ = try await client.execute(
                uri: "/v1/push", method: .post, headers: world.auth("alice"),
                body: ByteBuffer(string: "{\"replica\":\"ra\",\"versions\":[{\"note\":\"\(secret)\"}]}"))
            _ = try await client.execute(uri: "/v1/me", method: .get, headers: world.auth("wrong-\(secret)"))
        }
        let text = world.logs.text
        #expect(text.contains("Applied push"))
        #expect(!text.isEmpty)
        for token in world.tokens.values {
            #expect(!text.contains(token))
        }
        #expect(!text.contains(secret))
        #expect(!text.contains("Confidential"))
    }
}

@Suite("OpenAPI document", .tags(.unit))
struct OpenAPITests {
    @Test func everyRouteIsDocumentedAndViceVersa() async throws {
        let fixture = try await StoreFixture()
        let router = makeRouter(
            configuration: ServerConfiguration(databasePath: fixture.databasePath), store: fixture.store)
        let routed = Set(
            router.routes.map { route in
                let path = route.path.description.split(separator: "/").map { part in
                    part.hasPrefix(":") ? "{\(part.dropFirst())}" : String(part)
                }
                return "\(route.method.rawValue.lowercased()) /\(path.joined(separator: "/"))"
            })
        let paths = try #require(OpenAPIContract.document["paths"] as? [String: [String: Any]])
        let documented = Set(paths.flatMap { path, operations in operations.keys.map { "\($0) \(path)" } })

        #expect(routed.count >= 7)
        #expect(routed == documented)
    }

    @Test func theServerServesTheDocumentWithoutAToken() async throws {
        let world = try await RouteTests.World()
        try await world.test { client in
            let response = try await client.execute(uri: "/openapi.json", method: .get)
            try OpenAPIContract.check(response, path: "/openapi.json", method: .get)
            let object = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any]
            #expect(response.status == .ok)
            #expect(object?["openapi"] as? String == "3.1.0")
            let health = try await client.execute(uri: "/health", method: .get)
            try OpenAPIContract.check(health, path: "/health", method: .get)
            let unknown = try await client.execute(uri: "/v1/nothing", method: .get, headers: world.auth())
            #expect(unknown.status == .notFound)
        }
    }

    @Test func theValidatorCatchesMismatches() throws {
        let validator = JSONSchemaValidator(root: OpenAPIContract.document)
        let wait = ["$ref": "#/components/schemas/WaitResponse"]

        #expect(validator.errors(["changed": true, "latest": 3], wait).isEmpty)
        #expect(!validator.errors(["changed": "yes", "latest": 3], wait).isEmpty)
        #expect(!validator.errors(["latest": 3], wait).isEmpty)
        #expect(!validator.errors(["changed": true, "latest": 3, "extra": 1], wait).isEmpty)
        #expect(!validator.errors(["error": ["code": "x"]], ["$ref": "#/components/schemas/Error"]).isEmpty)
    }
}
