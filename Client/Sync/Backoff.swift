/// Capped exponential backoff: `initial`, then doubling up to `maximum`, until ``reset()``.
public struct Backoff: Sendable, Hashable {
    /// The first wait. Default 0.5 s.
    public var initial: Duration
    /// The longest wait. Default 10 s.
    public var maximum: Duration
    private var last: Duration?

    public init(initial: Duration = .milliseconds(500), maximum: Duration = .seconds(10)) {
        self.initial = initial
        self.maximum = maximum
    }

    /// The next wait.
    public mutating func next() -> Duration {
        let delay = min(last.map { $0 * 2 } ?? initial, maximum)
        last = delay
        return delay
    }

    /// Starts again from ``initial`` (after a success).
    public mutating func reset() { last = nil }
}
