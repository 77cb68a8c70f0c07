import Foundation
import NKProtocol
import Testing

@testable import NKServer

@Suite("Store: waiting for changes")
struct StoreWaitTests {
    @Test func answersAtOnceWhenSomethingIsAlreadyNew() async throws {
        let fixture = try StoreFixture()
        _ = try await fixture.store.importPosts([Sample.post])

        let answer = try await fixture.store.waitForChanges(since: 0, timeout: .seconds(30))

        #expect(answer == WaitResponse(changed: true, latest: 1))
    }

    @Test func timesOutWithChangedFalse() async throws {
        let fixture = try StoreFixture()
        _ = try await fixture.store.importPosts([Sample.post])
        let clock = ContinuousClock()
        let start = clock.now

        let answer = try await fixture.store.waitForChanges(
            since: 1, timeout: .milliseconds(300), recheck: .milliseconds(100))

        #expect(answer == WaitResponse(changed: false, latest: 1))
        #expect(start.duration(to: clock.now) >= .milliseconds(300))
    }

    @Test func aPushInThisProcessWakesTheWaiterAtOnce() async throws {
        let fixture = try StoreFixture()
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

    @Test func aChangeByAnotherProcessIsSeenByTheRecheck() async throws {
        let fixture = try StoreFixture()
        _ = try await fixture.store.importPosts([Sample.post])
        // A second store on the same file stands for an admin command in another process.
        let other = try ServerStore(path: fixture.databasePath)
        let clock = ContinuousClock()
        let start = clock.now

        async let answer = fixture.store.waitForChanges(since: 1, timeout: .seconds(30), recheck: .milliseconds(100))
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

    @Test func cancellationEndsTheWaitAtOnce() async throws {
        let fixture = try StoreFixture()
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
        #expect(await fixture.store.changeNotifier.waiterCount == 0)
    }

    @Test func aCursorAheadOfTheServerIsRefused() async throws {
        let fixture = try StoreFixture()

        let error = await #expect(throws: ServerError.self) {
            try await fixture.store.waitForChanges(since: 5, timeout: .seconds(1))
        }

        #expect(error?.code == .invalidCursor)
    }
}
