/// A token bucket per key (a user, a client address): `rate` requests per second on average,
/// bursts of up to `burst`.
actor RateLimiter<Key: Hashable & Sendable> {
    private struct Bucket {
        var tokens: Double
        /// When it was last refilled, as time since the limiter was made.
        var updated: Duration
    }

    let rate: Double
    let burst: Double
    private var buckets: [Key: Bucket] = [:]
    /// Time since the limiter was made, on its clock.
    private let elapsed: @Sendable () -> Duration

    init(rate: Double, burst: Int) {
        self.init(rate: rate, burst: burst, clock: ContinuousClock())
    }

    /// A limiter that reads time from `clock` (a test clock in the tests).
    init<C: Clock<Duration>>(rate: Double, burst: Int, clock: C) {
        self.rate = rate
        self.burst = Double(max(1, burst))
        let origin = clock.now
        elapsed = { origin.duration(to: clock.now) }
    }

    /// Takes one token for `key`. Returns nil when the request may go ahead, otherwise how many
    /// whole seconds (at least 1) to wait before the next one.
    func take(_ key: Key) -> Int? {
        var bucket = refilled(key)
        defer { store(bucket, for: key) }
        guard bucket.tokens >= 1 else {
            return max(1, Int(((1 - bucket.tokens) / rate).rounded(.up)))
        }
        bucket.tokens -= 1
        return nil
    }

    /// Gives back a token taken with ``take(_:)`` for a request that turned out not to count (a
    /// successful authentication, where only failures are limited).
    func giveBack(_ key: Key) {
        var bucket = refilled(key)
        bucket.tokens = min(burst, bucket.tokens + 1)
        store(bucket, for: key)
    }

    private func refilled(_ key: Key) -> Bucket {
        let now = elapsed()
        var bucket = buckets[key] ?? Bucket(tokens: burst, updated: now)
        let since = now - bucket.updated
        let seconds = Double(since.components.seconds) + Double(since.components.attoseconds) / 1e18
        bucket.tokens = min(burst, bucket.tokens + seconds * rate)
        bucket.updated = now
        return bucket
    }

    /// Keeps the bucket; a full one is forgotten (it is what a new key starts with), so the table
    /// does not grow with every address that ever sent one request.
    private func store(_ bucket: Bucket, for key: Key) {
        buckets[key] = bucket.tokens >= burst ? nil : bucket
    }
}
