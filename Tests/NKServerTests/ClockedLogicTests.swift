import Clocks
import Foundation
import NKProtocol
import NKTestTraits
import Synchronization
import Testing

@testable import NKServer

/// The server's logic that involves time, on a test clock: nothing here waits for real.
@Suite("Rate limits and long-poll timeouts on a test clock", .tags(.unit))
struct ClockedLogicTests {
    @Test func aBucketAllowsItsBurstThenRefillsAtItsRate() async {
        let clock = TestClock()
        let limiter = RateLimiter<String>(rate: 0.5, burst: 2, clock: clock)
        #expect(await limiter.take("alice") == nil)
        #expect(await limiter.take("alice") == nil)
        // Empty: one token comes back every 2 s.
        #expect(await limiter.take("alice") == 2)
        // Another key has a bucket of its own.
        #expect(await limiter.take("bob") == nil)

        await clock.advance(by: .seconds(1))
        #expect(await limiter.take("alice") == 1)
        await clock.advance(by: .seconds(1))
        #expect(await limiter.take("alice") == nil)
        #expect(await limiter.take("alice") == 2)
    }

    @Test func aTokenGivenBackCountsAgainButNeverBeyondTheBurst() async {
        let clock = TestClock()
        let limiter = RateLimiter<String>(rate: 1.0 / 3600, burst: 1, clock: clock)
        #expect(await limiter.take("10.0.0.1") == nil)
        await limiter.giveBack("10.0.0.1")
        await limiter.giveBack("10.0.0.1")
        #expect(await limiter.take("10.0.0.1") == nil)
        #expect(await limiter.take("10.0.0.1") == 3600)
        // A full hour later the bucket is full again.
        await clock.advance(by: .seconds(3600))
        #expect(await limiter.take("10.0.0.1") == nil)
    }

    /// Moves `clock` on a second at a time until `ended` holds (at most `limit`), and returns how far it
    /// moved. A step at a time, because the waiter registers each sleep only after its previous one
    /// ended: a single long jump could pass before the next sleep is registered.
    func advance(_ clock: TestClock<Duration>, until ended: Shared<Bool>, limit: Duration = .seconds(60)) async
        -> Duration
    {
        var moved = Duration.zero
        while !ended.value && moved < limit {
            await clock.advance(by: .seconds(1))
            moved += .seconds(1)
            // Let the waiter run: it reads, then registers its next sleep.
            for _ in 0..<20 { await Task.yield() }
        }
        return moved
    }

    @Test func aLongPollWithoutChangesEndsAtItsTimeoutAndRechecksOnTheWay() async throws {
        let clock = TestClock()
        let notifier = ChangeNotifier(clock: clock)
        let reads = Shared(0)
        let ended = Shared(false)
        let wait = Task {
            defer { ended.set(true) }
            return try await notifier.waitForChanges(since: 5, timeout: .seconds(30), recheck: .seconds(10)) {
                reads.update { $0 += 1 }
                return 5
            }
        }
        let moved = await advance(clock, until: ended)
        #expect(try await wait.value == WaitResponse(changed: false, latest: 5))
        // Not before its 30 s on the clock (later only by the steps the waiter took to sleep again).
        #expect(moved >= .seconds(30) && moved < .seconds(60))
        // Read at the start and again after each recheck on the way.
        #expect(reads.value >= 3)
    }

    @Test func aChangeSeenByTheRecheckEndsTheLongPollEarly() async throws {
        let clock = TestClock()
        let notifier = ChangeNotifier(clock: clock)
        let latest = Shared<Int64>(5)
        let reads = Shared(0)
        let ended = Shared(false)
        let wait = Task {
            defer { ended.set(true) }
            return try await notifier.waitForChanges(since: 5, timeout: .seconds(30), recheck: .seconds(10)) {
                reads.update { $0 += 1 }
                return latest.value
            }
        }
        // Once the waiter read the database, another process commits: no announcement here, only a
        // recheck can see it.
        while reads.value == 0 { await Task.yield() }
        latest.set(7)
        let moved = await advance(clock, until: ended)
        #expect(try await wait.value == WaitResponse(changed: true, latest: 7))
        // At the first recheck (10 s on the clock, and a step or two for the waiter), not the timeout.
        #expect(moved >= .seconds(10) && moved < .seconds(30))
    }

    @Test func anAnnouncementEndsTheLongPollWithoutWaitingForTheClock() async throws {
        let clock = TestClock()
        let notifier = ChangeNotifier(clock: clock)
        let latest = Shared<Int64>(5)
        let wait = Task {
            try await notifier.waitForChanges(since: 5, timeout: .seconds(30), recheck: .seconds(30)) {
                latest.value
            }
        }
        // Once the waiter is suspended, a commit in this process announces itself.
        while await notifier.waiterCount == 0 { await Task.yield() }
        latest.set(6)
        await notifier.announce()
        #expect(try await wait.value == WaitResponse(changed: true, latest: 6))
    }
}

/// A value several tasks read and write, under a lock.
final class Shared<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>
    init(_ value: Value) { mutex = Mutex(value) }
    var value: Value { mutex.withLock { $0 } }
    func set(_ value: Value) { mutex.withLock { $0 = value } }
    func update(_ body: (inout Value) -> Void) { mutex.withLock { body(&$0) } }
}
