import NKTestSupport
import Testing

/// Says, in the test report, whether the store conformance suite ran against PostgreSQL too.
@Suite("PostgreSQL for the store conformance suite")
struct PostgresAvailabilityTests {
    @Test(.enabled(if: TestPostgres.isAvailable, Comment(rawValue: TestPostgres.unavailableReason)))
    func postgresIsAvailableAndTheSuiteRunsAgainstIt() async throws {
        #expect(StoreKind.available == [.sqlite, .postgres])
        let fixture = try await StoreFixture(.postgres)
        #expect(try await fixture.store.latestSequence() == 0)
    }
}
