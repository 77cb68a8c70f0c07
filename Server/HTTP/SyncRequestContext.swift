import Hummingbird
import NIOCore
import NKProtocol

/// The request context of the sync API: Hummingbird's core storage, the client's address and the
/// authenticated user.
public struct SyncRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by the auth middleware on every `/v1` request.
    public var user: AuthenticatedUser?
    /// The peer of the connection; nil where there is none (Hummingbird's in-process test client).
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        user = nil
        remoteAddress = source.channel.remoteAddress
    }

    public var maxUploadSize: Int { Wire.maxBodyBytes }

    /// The authenticated user; an `unauthorized` error outside the auth middleware.
    func requireUser() throws -> AuthenticatedUser {
        guard let user else { throw ServerError(.unauthorized, "this endpoint needs a bearer token") }
        return user
    }

    /// The client's IP address, the key of the failed-authentication limit (not the port: each
    /// connection has its own).
    var clientAddress: String? {
        guard let remoteAddress else { return nil }
        return remoteAddress.ipAddress ?? remoteAddress.description
    }
}
