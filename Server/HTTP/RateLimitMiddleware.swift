import Hummingbird
import Logging
import NKProtocol

extension HTTPFields.Element.Name {
    /// `Retry-After`: whole seconds to wait, on a 429.
    static let retryAfter = Self("Retry-After")!
}

extension Response {
    /// 429 `rate_limited` with `message` and `Retry-After: seconds`.
    static func rateLimited(_ message: String, retryAfter seconds: Int) -> Response {
        var response = Response.error(
            ErrorResponse(code: .rateLimited, message: message), status: .tooManyRequests)
        response.headers[.retryAfter] = String(seconds)
        return response
    }
}

/// Answers 429 `rate_limited` with `Retry-After` when a user sends faster than the configured
/// rate. Runs after the auth middleware: the bucket is the token's user.
struct RateLimitMiddleware: RouterMiddleware {
    typealias Context = SyncRequestContext

    let limiter: RateLimiter<Int64>

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let user = try context.requireUser()
        if let seconds = await limiter.take(user.id) {
            context.logger.notice("Rate limited", metadata: ["nk.retryAfter": "\(seconds)"])
            return .rateLimited(
                "too many requests: at most \(Int(limiter.rate)) per second; retry after \(seconds) s",
                retryAfter: seconds)
        }
        return try await next(request, context)
    }
}
