import Hummingbird
import Logging

/// Checks `Authorization: Bearer TOKEN` against the database on every request, so a revoked token
/// stops working at once, and puts the user in the context.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = SyncRequestContext

    let store: any ServerStore

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
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
        var context = context
        context.user = user
        context.logger[metadataKey: "nk.user"] = .string(user.name)
        return try await next(request, context)
    }

    /// The token of a `Bearer TOKEN` header (scheme case-insensitive), or nil.
    static func bearerToken(_ header: String) -> String? {
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }
}
