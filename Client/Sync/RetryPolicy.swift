import Foundation

/// How ``ServerAPI`` answers `429 rate_limited`: wait as the server's `Retry-After` says, then send
/// the same request again, a bounded number of times. Every request of the protocol is safe to
/// repeat: pulls are reads and pushes are idempotent (the version vector is the key).
public struct RetryPolicy: Sendable {
    /// Most retries of one request. Default 5.
    public var maxRetries: Int
    /// Longest wait before one retry, whatever `Retry-After` says. Default 30 s.
    public var maxWait: Duration
    /// The wait when `Retry-After` is missing or unreadable. Default 1 s.
    public var defaultWait: Duration
    /// Told before each wait, with the wait and the retry's number (from 1).
    public var onWait: (@Sendable (_ delay: Duration, _ attempt: Int) -> Void)?
    /// Waits; tests replace it.
    public var sleep: @Sendable (Duration) async throws -> Void

    public init(
        maxRetries: Int = 5, maxWait: Duration = .seconds(30), defaultWait: Duration = .seconds(1),
        onWait: (@Sendable (_ delay: Duration, _ attempt: Int) -> Void)? = nil,
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    ) {
        self.maxRetries = maxRetries
        self.maxWait = maxWait
        self.defaultWait = defaultWait
        self.onWait = onWait
        self.sleep = sleep
    }

    /// The wait a `Retry-After` value asks for, capped at ``maxWait`` (``defaultWait`` when absent
    /// or unreadable). `now` is used for the HTTP-date form.
    public func delay(retryAfter value: String?, now: Date = Date()) -> Duration {
        guard let seconds = Self.seconds(retryAfter: value, now: now) else { return min(defaultWait, maxWait) }
        return min(.seconds(seconds), maxWait)
    }

    /// Parses `Retry-After`: delay-seconds (`120`) or an HTTP-date (`Wed, 21 Oct 2026 07:28:00 GMT`).
    /// Returns whole seconds, never negative; nil when it is neither.
    public static func seconds(retryAfter value: String?, now: Date = Date()) -> Int? {
        guard let text = value?.trimmingWhitespaceAndNewlines(), !text.isEmpty else { return nil }
        if text.allSatisfy(\.isASCII), text.allSatisfy(\.isNumber) {
            return Int(text.prefix(9))
        }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: text) else { return nil }
        return max(0, Int(date.timeIntervalSince(now).rounded(.up)))
    }
}
