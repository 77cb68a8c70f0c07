import Hummingbird
import NKProtocol

/// The request context of the sync API: Hummingbird's core storage plus the authenticated user.
public struct SyncRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by the auth middleware on every `/v1` request.
    public var user: AuthenticatedUser?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        user = nil
    }

    public var maxUploadSize: Int { Wire.maxBodyBytes }

    /// The authenticated user; an `unauthorized` error outside the auth middleware.
    func requireUser() throws -> AuthenticatedUser {
        guard let user else { throw ServerError(.unauthorized, "this endpoint needs a bearer token") }
        return user
    }
}
