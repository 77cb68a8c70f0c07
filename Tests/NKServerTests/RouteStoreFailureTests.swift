import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NKProtocol
import NKTestSupport
import NKTestTraits
import Testing

@testable import NKServer

/// When the store fails, a request gets 503 `unavailable` with `Retry-After`, and nothing of it is
/// kept; when the store is back, the same request works.
@Suite("HTTP routes: a store that fails", .tags(.unit, .postgres))
struct RouteStoreFailureTests {
    @Test func aDatabaseErrorIs503UnavailableWithRetryAfter() throws {
        let middleware = ErrorMiddleware<SyncRequestContext>(maxBodyBytes: 100)
        let error = ServerError(.database, "database error: disk I/O error in /srv/secret/path")

        let response = middleware.response(for: error, logger: Logger(label: "test"))

        #expect(response.status == .serviceUnavailable)
        #expect(response.headers[.retryAfter].flatMap { Int($0) }.map { $0 >= 1 } == true)
        // The body (code `unavailable`, no detail) is read in the PostgreSQL outage test below.
    }

    /// A real outage: the server's PostgreSQL database stops taking connections (and drops the
    /// ones it had) while the server runs, then comes back.
    @Test(.enabled(if: TestPostgres.isAvailable, Comment(rawValue: TestPostgres.unavailableReason)))
    func aPostgreSQLOutageIs503AndThePushWorksWhenItIsBack() async throws {
        let fixture = try await StoreFixture(.postgres)
        let url = try #require(fixture.postgresURL)
        let name = try #require(URLComponents(string: url)?.path.dropFirst()).description
        _ = try await fixture.store.importPosts([Sample.post])
        let token = try await fixture.store.addUser(name: "alice")
        let note = try Sample.annotation(note: "Written during the outage.")
        let push = try Wire.makeEncoder().encode(
            PushRequest(replica: ReplicaID("ra"), versions: [Sample.annotationVersion(note, ["ra": 1])]))
        let app = buildApplication(
            configuration: ServerConfiguration(databasePath: fixture.databasePath, port: 0), store: fixture.store)
        let headers: HTTPFields = [.authorization: "Bearer \(token)", .contentType: "application/json"]

        try await app.test(.live) { client in
            // When the database refuses connections and the server's are cut
            try await Self.admin(
                "ALTER DATABASE \(name) ALLOW_CONNECTIONS false; "
                    + "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '\(name)'")
            let clock = ContinuousClock()
            let outageStart = clock.now
            let during = try await client.execute(
                uri: "/v1/push", method: .post, headers: headers, body: ByteBuffer(bytes: push))

            // Then the push is a 503 asking to retry
            #expect(during.status == .serviceUnavailable)
            #expect(during.headers[.retryAfter] != nil)
            let error = try Wire.makeDecoder().decode(ErrorResponse.self, from: Data(during.body.readableBytesView))
            #expect(error.error.code == .unavailable)
            #expect(!error.error.message.contains(name) && !error.error.message.contains("SQLSTATE"))

            // Answered once no connection came within PostgresStore.connectionWait (10 s), not after
            // the pool's own minute of retries (a generous bound: the machine may be loaded).
            let outage = outageStart.duration(to: clock.now)
            print("outage: 503 after \(outage)")
            #expect(outage < .seconds(40))
            // When the database is back, the same push is applied once
            try await Self.admin("ALTER DATABASE \(name) ALLOW_CONNECTIONS true")
            let backStart = clock.now
            var after = try await client.execute(
                uri: "/v1/push", method: .post, headers: headers, body: ByteBuffer(bytes: push))
            for _ in 0..<120 where after.status == .serviceUnavailable {
                // The pool retries connections with a growing backoff (postgres-nio: 100 ms × 1.25ⁿ),
                // some seconds apart after a 15 s outage.
                try await Task.sleep(for: .milliseconds(250))
                after = try await client.execute(
                    uri: "/v1/push", method: .post, headers: headers, body: ByteBuffer(bytes: push))
            }
            print("recovered after \(backStart.duration(to: clock.now))")
            #expect(after.status == .ok)
            let result = try Wire.makeDecoder().decode(PushResponse.self, from: Data(after.body.readableBytesView))
            #expect(result.results.map(\.status) == [.applied])
        }
        #expect(
            try await TestPostgres.query(url, "SELECT count(*) FROM nk_versions WHERE record_type = 'annotation'")
                == "1")
    }

    /// Runs SQL on the tests' PostgreSQL as its superuser.
    static func admin(_ sql: String) async throws {
        _ = try await TestPostgres.query(try #require(TestPostgres.adminURL), sql)
    }
}
