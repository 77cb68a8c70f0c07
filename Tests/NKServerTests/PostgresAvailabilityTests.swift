import Foundation
import NKTestSupport
import NKTestTraits
import Testing

@testable import NKServer

/// Says, in the test report, whether the store conformance suite ran against PostgreSQL too; and
/// what only PostgreSQL has: its migrations, shared by several server processes.
@Suite(
    "PostgreSQL store: availability and migrations",
    .enabled(if: TestPostgres.isAvailable, Comment(rawValue: TestPostgres.unavailableReason)),
    .tags(.unit, .postgres))
struct PostgresAvailabilityTests {
    @Test func postgresIsAvailableAndTheSuiteRunsAgainstIt() async throws {
        #expect(StoreKind.available == [.sqlite, .postgres])
        let fixture = try await StoreFixture(.postgres)
        #expect(try await fixture.store.latestSequence() == 0)
    }

    /// Servers starting together on a new database: each migration is applied once, and all of
    /// them see the same server replica id.
    @Test func serversStartingTogetherMigrateOnce() async throws {
        let url = try await TestPostgres.createDatabase()
        defer { TestPostgres.dropDatabase(url) }
        let location = try PostgresURL(url)
        let stores = try await withThrowingTaskGroup(of: PostgresStore.self) { group in
            for _ in 0..<4 {
                group.addTask { try await PostgresStore.open(url: location, logger: StoreFixture.quietLogger) }
            }
            var stores: [PostgresStore] = []
            for try await store in group { stores.append(store) }
            return stores
        }
        // Opening migrates; none of them is run, so none holds a connection afterwards.
        #expect(Set(stores.map(\.serverReplicaID)).count == 1)
        // Each migration applied once.
        #expect(
            try await TestPostgres.query(url, "SELECT string_agg(id, ',' ORDER BY id) FROM nk_schema_migrations")
                == PostgresMigrations.migrations.map(\.id).sorted().joined(separator: ","))
    }

    /// A database migrated by a newer nkserver is refused, not used half-understood.
    @Test func aMigrationThisServerDoesNotKnowIsRefused() async throws {
        let url = try await TestPostgres.createDatabase()
        defer { TestPostgres.dropDatabase(url) }
        _ = try await PostgresStore.open(url: try PostgresURL(url), logger: StoreFixture.quietLogger)
        _ = try await TestPostgres.query(url, "INSERT INTO nk_schema_migrations VALUES ('v99-future', now())")

        let error = await #expect(throws: ServerError.self) {
            try await PostgresStore.open(url: try PostgresURL(url), logger: StoreFixture.quietLogger)
        }
        #expect(error?.code == .database)
        #expect(error?.message.contains("'v99-future'") == true, "\(error?.message ?? "")")
    }
}
