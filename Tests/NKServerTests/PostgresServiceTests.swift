import Foundation
import Hummingbird
import HummingbirdTesting
import NKProtocol
import NKTestSupport
import NKTestTraits
import Testing

@testable import NKServer

/// A PostgreSQL store works while its ``PostgresStore/run()`` runs: in the application's service
/// group for a server, around the body of ``PostgresStore/withStore(url:logger:_:)`` for a command.
/// Once that ends, its connections are closed and it answers nothing.
@Suite(
    .enabled(if: TestPostgres.isAvailable, Comment(rawValue: TestPostgres.unavailableReason)), .tags(.unit, .postgres))
struct PostgresServiceTests {
    @Test func theStoreRunsInTheApplicationsServiceGroup() async throws {
        let url = try await TestPostgres.createDatabase()
        defer { TestPostgres.dropDatabase(url) }
        let store = try await PostgresStore.open(url: try PostgresURL(url), logger: StoreFixture.quietLogger)
        let app = buildApplication(
            configuration: ServerConfiguration(store: .postgres(try PostgresURL(url)), port: 0), store: store,
            services: [store])

        try await app.test(.live) { client in
            let token = try await store.addUser(name: "alice")
            let me = try await client.execute(uri: "/v1/me", method: .get, headers: [.authorization: "Bearer \(token)"])
            #expect(me.status == .ok)
            #expect(
                try Wire.makeDecoder().decode(MeResponse.self, from: Data(me.body.readableBytesView)).user == "alice")
        }

        // The service group has shut down, the store with it.
        try await Self.expectClosed(store)
        #expect(try await TestPostgres.query(url, "SELECT name FROM nk_users") == "alice")
    }

    @Test func withStoreRunsTheStoreAroundItsBody() async throws {
        let url = try await TestPostgres.createDatabase()
        defer { TestPostgres.dropDatabase(url) }
        let store = try await PostgresStore.withStore(url: try PostgresURL(url), logger: StoreFixture.quietLogger) {
            store in
            _ = try await store.addUser(name: "alice")
            #expect(try await store.users().map(\.name) == ["alice"])
            return store
        }
        try await Self.expectClosed(store)

        // A body that throws closes the store too, and its error comes out.
        let failure = ServerError(.notFound, "thrown by the body")
        let thrown = await #expect(throws: ServerError.self) {
            try await PostgresStore.withStore(url: try PostgresURL(url), logger: StoreFixture.quietLogger) {
                store in
                _ = try await store.users()
                throw failure
            }
        }
        #expect(thrown?.message == failure.message)
    }

    /// A closed store refuses at once (`database`), rather than waiting for a connection.
    static func expectClosed(_ store: PostgresStore) async throws {
        let clock = ContinuousClock()
        let start = clock.now
        let error = await #expect(throws: ServerError.self) { try await store.latestSequence() }
        #expect(error?.code == .database)
        #expect(start.duration(to: clock.now) < PostgresStore.connectionWait)
    }
}
