import Foundation
import NKProtocol
import NKTestTraits
import Testing

@testable import NKServer

@Suite("Store: waiting for changes", .tags(.unit, .postgres))
struct StoreWaitTests {
    @Test(arguments: StoreKind.available)
    func answersAtOnceWhenSomethingIsAlreadyNew(_ kind: StoreKind) async throws {
        let fixture = try await StoreFixture(kind)
        _ = try await fixture.store.importPosts([Sample.post])

        let answer = try await fixture.store.waitForChanges(since: 0, timeout: .seconds(30))

        #expect(answer == WaitResponse(changed: true, latest: 1))
    }

    @Test(arguments: StoreKind.available) func timesOutWithChangedFalse(_ kind: StoreKind) async throws {
        let fixture = try await StoreFixture(kind)
        _ = try await fixture.store.importPosts([Sample.post])
        let clock = ContinuousClock()
        let start = clock.now

        let answer = try await fixture.store.waitForChanges(
            since: 1, timeout: .milliseconds(300), recheck: .milliseconds(100))

        #expect(answer == WaitResponse(changed: false, latest: 1))
        #expect(start.duration(to: clock.now) >= .milliseconds(300))
    }

    @Test(arguments: StoreKind.available)
    func aPushInThisProcessWakesTheWaiterAtOnce(_ kind: StoreKind) async throws {
        let fixture = try await StoreFixture(kind)
        _ = try await fixture.store.importPosts([Sample.post])
        let (alice, _) = try await fixture.user("alice")
        let clock = ContinuousClock()
        let start = clock.now

        // The recheck interval is long, so only the notifier can wake the waiter in time.
        async let answer = fixture.store.waitForChanges(since: 1, timeout: .seconds(30), recheck: .seconds(30))
        try await Task.sleep(for: .milliseconds(200))
        let note = try Sample.annotation()
        _ = try await fixture.store.push(
            user: alice, replica: ReplicaID("ra"), versions: [Sample.annotationVersion(note, ["ra": 1])])

        #expect(try await answer == WaitResponse(changed: true, latest: 2))
        // Woken by the change, not by the 30 s timeout (a generous bound: the machine may be loaded).
        #expect(start.duration(to: clock.now) < .seconds(25))
    }

    @Test(arguments: StoreKind.available)
    func aChangeByAnotherProcessIsSeenByTheRecheck(_ kind: StoreKind) async throws {
        let fixture = try await StoreFixture(kind)
        _ = try await fixture.store.importPosts([Sample.post])
        // A second store on the same database stands for an admin command, or (PostgreSQL) another
        // nkserver, in another process. PostgreSQL's NOTIFY wakes the waiter: its recheck is left
        // longer than the whole wait, so only the notification can end it early.
        let other = try await fixture.openAgain()
        let recheck: Duration = kind == .postgres ? .seconds(60) : .milliseconds(100)
        let clock = ContinuousClock()
        let start = clock.now

        async let answer = fixture.store.waitForChanges(since: 1, timeout: .seconds(30), recheck: recheck)
        try await Task.sleep(for: .milliseconds(200))
        _ = try await other.importPosts([Post(title: "Another", body: ["Text."], category: "Tests")])

        #expect(try await answer == WaitResponse(changed: true, latest: 2))
        // Woken by the change, not by the 30 s timeout (a generous bound: the machine may be loaded).
        #expect(start.duration(to: clock.now) < .seconds(25))
    }

    @Test func anAnnouncementBeforeTheWaiterSuspendsIsNotLost() async throws {
        // Regression: a push that committed between a waiter's database read and its suspension
        // used to be missed until the next recheck.
        let notifier = ChangeNotifier()
        let seen = await notifier.generation
        await notifier.announce()
        let clock = ContinuousClock()
        let start = clock.now
        await notifier.wait(atMost: .seconds(30), after: seen)
        #expect(start.duration(to: clock.now) < .seconds(25))
        #expect(await notifier.waiterCount == 0)
    }

    @Test(arguments: StoreKind.available) func cancellationEndsTheWaitAtOnce(_ kind: StoreKind) async throws {
        let fixture = try await StoreFixture(kind)
        let clock = ContinuousClock()
        let start = clock.now

        let task = Task {
            try await fixture.store.waitForChanges(since: 0, timeout: .seconds(30), recheck: .seconds(30))
        }
        try await Task.sleep(for: .milliseconds(200))
        task.cancel()

        #expect(try await task.value == WaitResponse(changed: false, latest: 0))
        // Ended by the cancellation, not by the 30 s timeout (a generous bound: the machine may be loaded).
        #expect(start.duration(to: clock.now) < .seconds(25))
        #expect(try await fixture.changeNotifier().waiterCount == 0)
    }

    @Test(arguments: StoreKind.available) func aCursorAheadOfTheServerIsRefused(_ kind: StoreKind) async throws {
        let fixture = try await StoreFixture(kind)

        let error = await #expect(throws: ServerError.self) {
            try await fixture.store.waitForChanges(since: 5, timeout: .seconds(1))
        }

        #expect(error?.code == .invalidCursor)
    }
}
