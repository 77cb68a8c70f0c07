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
        await clock.advance(by: .seconds(29))
        #expect(!ended.value)
        await clock.advance(by: .seconds(1))
        #expect(try await wait.value == WaitResponse(changed: false, latest: 5))
        // Read at the start and after each of the three 10 s rechecks.
        #expect(reads.value == 4)
    }

    @Test func aChangeSeenByTheRecheckEndsTheLongPollEarly() async throws {
        let clock = TestClock()
        let notifier = ChangeNotifier(clock: clock)
        let latest = Shared<Int64>(5)
        let wait = Task {
            try await notifier.waitForChanges(since: 5, timeout: .seconds(30), recheck: .seconds(10)) {
                latest.value
            }
        }
        await clock.advance(by: .seconds(5))
        // Another process commits: no announcement here, the recheck at 10 s sees it.
        latest.set(7)
        await clock.advance(by: .seconds(5))
        #expect(try await wait.value == WaitResponse(changed: true, latest: 7))
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
