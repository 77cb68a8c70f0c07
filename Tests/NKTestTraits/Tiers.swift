import Foundation
import NKTestSupport
import Testing

/// The tiers of the test suite (CONTRIBUTING.md). Every suite carries the tag of its tier; the
/// scripts choose tiers by test target and suite (`scripts/test.sh`), since `swift test` here cannot
/// filter by tag.
extension Tag {
    /// No process and no socket: the model, stores and routes in process, the replica, the sync
    /// engine against an in-process fake.
    @Tag public static var unit: Self
    /// Real `nkserver` and `nkclient` processes, on 127.0.0.1.
    @Tag public static var live: Self
    /// Cases that run against PostgreSQL when the tests have one (`scripts/with-postgres.sh`).
    @Tag public static var postgres: Self
    /// Minutes each: the reliability quick suites and the benchmark smoke tests (test target
    /// NKToolTests, built only with `NK_TOOLS=1`), beside schemathesis, fuzzing and the sanitizers.
    @Tag public static var slow: Self
}

extension Trait where Self == ProcessesTrait {
    /// Runs each test of the suite on threads of its own, where the harness may block while it waits
    /// for child processes, never on Swift's cooperative pool (``BlockingWaits``), and at most
    /// ``ProcessesTrait/slots`` such tests at once.
    public static var processes: Self { ProcessesTrait() }
}

/// See ``Trait/processes``.
public struct ProcessesTrait: TestTrait, SuiteTrait, TestScoping {
    /// How many tests that run processes run at once: `$NK_LIVE_TESTS`, default 3. Each starts a
    /// server and a few clients; on two cores more than three at once only lengthen each one.
    public static let slots = AsyncSlots(
        count: ProcessInfo.processInfo.environment["NK_LIVE_TESTS"].flatMap { Int($0) }.map { max(1, $0) } ?? 3)

    public var isRecursive: Bool { true }

    public func scopeProvider(for test: Test, testCase: Test.Case?) -> Self? {
        // Once per test case, not around a whole suite: a suite would hold a slot for all its tests.
        testCase == nil ? nil : self
    }

    public func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        try await Self.slots.withSlot {
            try await withTaskExecutorPreference(ThreadPerJobExecutor.shared) {
                try await BlockingWaits.$allowed.withValue(true) { try await function() }
            }
        }
    }
}

/// A task executor that runs each job on a new thread of its own: a job may block (in `waitpid`, say)
/// without holding up any other.
public final class ThreadPerJobExecutor: TaskExecutor, Sendable {
    public static let shared = ThreadPerJobExecutor()

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        let thread = Thread { job.runSynchronously(on: executor) }
        thread.name = "nk-processes"
        thread.start()
    }
}

/// A counting semaphore for tasks: at most `count` bodies run at once; the others wait, suspended, in
/// the order they came.
public actor AsyncSlots {
    private var free: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    public init(count: Int) { free = count }

    public func withSlot<T: Sendable>(_ body: @Sendable () async throws -> T) async rethrows -> T {
        await acquire()
        defer { release() }
        return try await body()
    }

    private func acquire() async {
        if free > 0 {
            free -= 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    private func release() {
        if waiting.isEmpty {
            free += 1
        } else {
            waiting.removeFirst().resume()
        }
    }
}
