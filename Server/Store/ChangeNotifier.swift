import NKProtocol

/// Wakes the long polls of `GET /v1/wait` when this process commits a change.
///
/// Changes written by another process (an admin command on the same database) are not announced
/// here; waiters re-check the database on a short interval for those.
actor ChangeNotifier {
    /// Time since the notifier was made, and a sleep, on its clock (a test clock in the tests).
    private nonisolated let elapsed: @Sendable () -> Duration
    private nonisolated let sleep: @Sendable (Duration) async throws -> Void
    private var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
    /// Waiters resumed (by their timer or a cancellation) before they suspended.
    private var resumedEarly: Set<Int> = []
    private var nextID = 0
    /// How many announcements there were. A waiter reads it before it reads the database and waits
    /// only while it is unchanged, so an announcement between that read and its suspension is not lost.
    private(set) var generation = 0

    init() {
        self.init(clock: ContinuousClock())
    }

    init<C: Clock<Duration>>(clock: C) {
        let origin = clock.now
        elapsed = { origin.duration(to: clock.now) }
        sleep = { try await clock.sleep(for: $0) }
    }

    /// Wakes every current waiter.
    func announce() {
        generation += 1
        let woken = waiters
        waiters.removeAll()
        for continuation in woken.values { continuation.resume() }
    }

    /// Returns when a change is announced after `generation` (at once if one already was), when
    /// `delay` has passed, or when the task is cancelled, whichever comes first. Never throws and
    /// holds nothing while it waits.
    nonisolated func wait(atMost delay: Duration, after generation: Int) async {
        let id = await makeID()
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.suspend(id, after: generation) }
            group.addTask {
                try? await self.sleep(delay)
                await self.resume(id)
            }
            await group.next()
            group.cancelAll()
            await self.resume(id)
        }
        await finish(id)
    }

    /// How many waiters are suspended now (for tests).
    var waiterCount: Int { waiters.count }

    private func makeID() -> Int {
        nextID += 1
        return nextID
    }

    private func suspend(_ id: Int, after generation: Int) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            if resumedEarly.remove(id) != nil || self.generation != generation {
                continuation.resume()
            } else {
                waiters[id] = continuation
            }
        }
    }

    private func resume(_ id: Int) {
        if let continuation = waiters.removeValue(forKey: id) {
            continuation.resume()
        } else {
            resumedEarly.insert(id)
        }
    }

    private func finish(_ id: Int) {
        resumedEarly.remove(id)
        if let continuation = waiters.removeValue(forKey: id) { continuation.resume() }
    }
}

extension ChangeNotifier {
    /// Waits until `latest()` moves past `since` or `timeout` runs out, whichever is first: wakes on
    /// every announcement and calls `latest()` again at least every `recheck`. Answers
    /// `changed: false` at once when the task is cancelled (graceful shutdown).
    ///
    /// - Throws: ``ServerError`` `invalid_cursor` when `since` is beyond `latest()`.
    nonisolated func waitForChanges(
        since: Int64, timeout: Duration, recheck: Duration, latest: () async throws -> Int64
    ) async throws -> WaitResponse {
        let deadline = elapsed() + timeout
        var seen = await generation
        var last = try await latest()
        while true {
            if last > since {
                return WaitResponse(changed: true, latest: last)
            }
            try ServerError.checkCursor(since, last: last)
            let remaining = deadline - elapsed()
            if remaining <= .zero || Task.isCancelled {
                return WaitResponse(changed: false, latest: last)
            }
            await wait(atMost: min(remaining, recheck), after: seen)
            seen = await generation
            last = try await latest()
        }
    }
}
