import Hummingbird
import NKProtocol

extension HTTPFields.Element.Name {
    /// `Retry-After`: whole seconds to wait, on a 429.
    static let retryAfter = Self("Retry-After")!
}

/// Answers 429 `rate_limited` with `Retry-After` when a user sends faster than the configured
/// rate. Runs after the auth middleware: the bucket is the token's user.
struct RateLimitMiddleware: RouterMiddleware {
    typealias Context = SyncRequestContext

    let limiter: RateLimiter

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let user = try context.requireUser()
        if let seconds = await limiter.take(user: user.id) {
            context.logger.notice("Rate limited", metadata: ["nk.retryAfter": "\(seconds)"])
            var response = Response.error(
                ErrorResponse(
                    code: ServerError.Code.rateLimited.rawValue,
                    message: "too many requests: at most \(Int(limiter.rate)) per second; retry after \(seconds) s"),
                status: .tooManyRequests)
            response.headers[.retryAfter] = String(seconds)
            return response
        }
        return try await next(request, context)
    }
}
