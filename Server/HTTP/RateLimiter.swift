/// A token bucket per user: `rate` requests per second on average, bursts of up to `burst`.
actor RateLimiter {
    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    let rate: Double
    let burst: Double
    private var buckets: [Int64: Bucket] = [:]
    private let clock = ContinuousClock()

    init(rate: Double, burst: Int) {
        self.rate = rate
        self.burst = Double(max(1, burst))
    }

    /// Takes one token for `user`. Returns nil when the request may go ahead, otherwise how many
    /// whole seconds (at least 1) to wait before the next one.
    func take(user: Int64) -> Int? {
        let now = clock.now
        var bucket = buckets[user] ?? Bucket(tokens: burst, updated: now)
        let elapsed = bucket.updated.duration(to: now)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        bucket.tokens = min(burst, bucket.tokens + seconds * rate)
        bucket.updated = now
        defer { buckets[user] = bucket }
        guard bucket.tokens >= 1 else {
            return max(1, Int(((1 - bucket.tokens) / rate).rounded(.up)))
        }
        bucket.tokens -= 1
        return nil
    }
}
