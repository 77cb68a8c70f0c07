import Foundation
import GRDB
import NKProtocol

/// `nkclient sync --watch`: syncs once, then stays connected.
///
/// Three tasks share a ``WatchState`` and ring one doorbell; only the sync loop syncs, so syncs never
/// overlap:
/// - the **wait loop** long-polls `GET /v1/wait?since=N` on its own transport (its blocking request
///   never holds up a sync) and asks for a sync when the server has something new;
/// - the **local loop** reads `PRAGMA data_version` every ``Options/localPollInterval`` and asks for
///   a sync when another process committed to the replica and the outbox is not empty;
/// - the **sync loop** answers the doorbell with one push-and-pull.
///
/// A network failure in either loop reports the loss once and retries with capped exponential
/// backoff; the first success afterwards reports the reconnection and syncs. A rejected token ends
/// the watch (``run()`` throws); cancelling the task ends it normally.
public struct SyncWatcher: Sendable {
    /// Timings of the watch.
    public struct Options: Sendable {
        /// How often the replica is checked for changes made by other processes. Default 250 ms.
        public var localPollInterval: Duration
        /// How long one long poll lasts, in seconds. Default ``Wire/defaultWaitSeconds``.
        public var waitSeconds: Int
        /// Waits between attempts while the server cannot be reached. Default 0.5 s doubling to 10 s.
        public var backoff: Backoff
        /// The clock the watch sleeps on between attempts and polls (a test clock in the tests).
        public var clock: any Clock<Duration>

        public init(
            localPollInterval: Duration = .milliseconds(250), waitSeconds: Int = Wire.defaultWaitSeconds,
            backoff: Backoff = Backoff(), clock: any Clock<Duration> = ContinuousClock()
        ) {
            self.localPollInterval = localPollInterval
            self.waitSeconds = waitSeconds
            self.backoff = backoff
            self.clock = clock
        }
    }

    let engine: SyncEngine
    let waitAPI: ServerAPI
    let options: Options
    let onEvent: @Sendable (WatchEvent) -> Void

    /// A watcher that syncs through `syncTransport` and long-polls through `waitTransport` (give it
    /// its own ``CurlTransport``: a long poll blocks its transport's queue).
    public init(
        replica: Replica, syncTransport: any Transport, waitTransport: any Transport,
        retryPolicy: RetryPolicy = RetryPolicy(), options: Options = Options(),
        onEvent: @escaping @Sendable (WatchEvent) -> Void
    ) {
        var engine = SyncEngine(replica: replica, transport: syncTransport, retryPolicy: retryPolicy)
        engine.notice = { onEvent(.notice($0)) }
        self.engine = engine
        waitAPI = ServerAPI(
            server: replica.config.server, token: replica.config.token, transport: waitTransport,
            retryPolicy: retryPolicy)
        self.options = options
        self.onEvent = onEvent
    }

    var server: String { waitAPI.server }

    /// Syncs, then watches until the task is cancelled.
    ///
    /// - Throws: ``ClientError/Code/unauthorized`` when the server rejects the token, or the error
    ///   of a long poll the server refuses (a 4xx other than 429).
    public func run() async throws(ClientError) {
        let state = WatchState(backoff: options.backoff)
        let (doorbell, ring) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let waiter = Task { await waitLoop(state, ring) }
        let poller = Task { await localLoop(state, ring) }
        defer {
            waiter.cancel()
            poller.cancel()
            ring.finish()
        }
        state.wantSync()
        ring.yield()
        var announced = false
        for await _ in doorbell {
            if Task.isCancelled { return }
            if let fatal = state.fatal { throw fatal }
            guard state.takeWanted() else { continue }
            let synced = await syncOnce(state, ring)
            if let fatal = state.fatal { throw fatal }
            if synced && !announced {
                announced = true
                onEvent(.watching(server: server))
            }
        }
    }

    /// One sync; returns whether it succeeded.
    private func syncOnce(_ state: WatchState, _ ring: AsyncStream<Void>.Continuation) async -> Bool {
        do throws(ClientError) {
            let summary = try await engine.run()
            state.resetSyncDelay()
            if state.markConnected() { onEvent(.reconnected(server: server)) }
            onEvent(.synced(summary))
            return true
        } catch {
            switch Self.classify(error) {
            case .fatal:
                state.fail(error)
            case .transient:
                let delay = state.nextSyncDelay()
                if state.markLost() {
                    onEvent(.lost(server: server, reason: Self.reason(error), retryIn: delay))
                }
                Task {
                    try? await options.clock.sleep(for: delay)
                    state.wantSync()
                    ring.yield()
                }
            case .reported:
                onEvent(.syncFailed(error))
            }
            return false
        }
    }

    /// Long-polls the server and rings when it has changes (or answers again after a loss).
    private func waitLoop(_ state: WatchState, _ ring: AsyncStream<Void>.Continuation) async {
        var backoff = options.backoff
        while !Task.isCancelled {
            let cursor = (try? await engine.replica.readAsync { db in try ReplicaStore.cursor(db) }) ?? 0
            do throws(ClientError) {
                // While the server is lost, probe with an immediate answer, so a reconnection is
                // noticed at once rather than at the end of a long poll.
                let timeout = state.isLost ? 0 : options.waitSeconds
                let answer = try await waitAPI.wait(since: max(cursor, state.latest), timeout: timeout)
                backoff.reset()
                state.saw(latest: answer.latest)
                let back = state.markConnected()
                if back { onEvent(.reconnected(server: server)) }
                if back || answer.changed {
                    state.wantSync()
                    ring.yield()
                }
            } catch {
                if Task.isCancelled { return }
                if error.serverCode == .invalidCursor {
                    // The server is behind this replica (restored from a backup): the sync finds out
                    // what it lost and moves the cursor back; then the long poll goes on from there.
                    state.forgetLatest()
                    state.wantSync()
                    ring.yield()
                    try? await options.clock.sleep(for: backoff.next())
                    continue
                }
                switch Self.classify(error) {
                case .fatal, .reported:
                    state.fail(error)
                    ring.yield()
                    return
                case .transient:
                    let delay = backoff.next()
                    if state.markLost() {
                        onEvent(.lost(server: server, reason: Self.reason(error), retryIn: delay))
                    }
                    try? await options.clock.sleep(for: delay)
                }
            }
        }
    }

    /// Rings when another process committed to the replica and the outbox holds something.
    private func localLoop(_ state: WatchState, _ ring: AsyncStream<Void>.Continuation) async {
        var last: Int?
        while !Task.isCancelled {
            try? await options.clock.sleep(for: options.localPollInterval)
            guard
                let (version, pending) = try? await engine.replica.readAsync({ db in
                    (try Int.fetchOne(db, sql: "PRAGMA data_version") ?? 0, try ReplicaStore.pendingCount(db))
                })
            else { continue }
            if let last, last != version, pending > 0 {
                state.wantSync()
                ring.yield()
            }
            last = version
        }
    }

    /// How the watch treats a failure.
    enum Handling: Hashable, Sendable {
        /// Ends the watch: a rejected token, or a request the server will never accept.
        case fatal
        /// Retried with backoff: the network, a failing or busy server, a garbled answer.
        case transient
        /// Said on stderr; the watch goes on (a read-only account's push, say).
        case reported
    }

    static func classify(_ error: ClientError) -> Handling {
        switch error.code {
        case .unauthorized: .fatal
        // An untrusted certificate too: its admin may renew it and reload the server.
        case .unreachable, .serverError, .rateLimited, .badResponse, .untrustedServer: .transient
        default: .reported
        }
    }

    /// The short reason of a failure for the "lost the server" line: `connection refused`, `HTTP 503`.
    static func reason(_ error: ClientError) -> String {
        if let transport = error.transportError { return transport.reason }
        if let status = error.serverStatus { return "HTTP \(status)" }
        return error.code.description
    }
}
