import Foundation
import Hummingbird
import Logging
import NKProtocol

/// Checks `Authorization: Bearer TOKEN` against the database on every request, so a revoked token
/// stops working at once, and puts the user in the context.
///
/// Failed authentications are limited per client address (``failures``): every attempt takes a
/// token from the address's bucket before the store is asked, and a successful one gives it back,
/// so only failures count, and once an address has spent its allowance its requests are answered
/// 429 without a database look-up, however many arrive at once.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = SyncRequestContext

    let store: any ServerStore
    /// The failed-authentication buckets per client address; nil when the limit is off.
    let failures: RateLimiter<String>?

    init(store: any ServerStore, failures: RateLimiter<String>? = nil) {
        self.store = store
        self.failures = failures
    }

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let address = failures == nil ? nil : context.clientAddress
        if let failures, let address, let seconds = await failures.take(address) {
            context.logger.notice("Authentication failures limited", metadata: ["nk.retryAfter": "\(seconds)"])
            return .rateLimited(
                "too many failed authentications from this address; retry after \(seconds) s", retryAfter: seconds)
        }
        let user: AuthenticatedUser
        do {
            user = try await authenticate(request)
        } catch let error as ServerError where error.code == .unauthorized {
            throw error
        } catch {
            // The store failed (503): not the client's failure.
            if let failures, let address { await failures.giveBack(address) }
            throw error
        }
        if let failures, let address { await failures.giveBack(address) }
        var context = context
        context.user = user
        context.logger[metadataKey: "nk.user"] = .string(user.name)
        return try await next(request, context)
    }

    private func authenticate(_ request: Request) async throws -> AuthenticatedUser {
        guard let header = request.headers[.authorization] else {
            throw ServerError(.unauthorized, "missing token: send the header 'Authorization: Bearer TOKEN'")
        }
        guard let token = Self.bearerToken(header) else {
            throw ServerError(.unauthorized, "the Authorization header is not of the form 'Bearer TOKEN'")
        }
        guard let user = try await store.authenticate(token: token) else {
            throw ServerError(
                .unauthorized, "invalid or revoked token: ask the server's admin for a new one (nkserver user add)")
        }
        return user
    }

    /// The token of a `Bearer TOKEN` header (scheme case-insensitive), or nil.
    static func bearerToken(_ header: String) -> String? {
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }
}
