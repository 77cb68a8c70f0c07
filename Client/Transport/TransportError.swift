/// Why a request got no HTTP response.
public struct TransportError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Whether to count the failure as "the server cannot be reached" (worth retrying later).
    public enum Kind: Sendable, Hashable {
        /// Connection refused, unknown host, timeout, or the connection dropped.
        case unreachable
        /// A bad URL, an answer too large, or another local failure.
        case other
        /// Not sent: plain `http://` to a host other than this computer, which the configuration
        /// does not allow (``TransportSecurity``).
        case insecure
        /// The server's TLS certificate failed verification (another host name, a CA not trusted
        /// here, expired): the handshake stopped before any request, token included, was sent.
        case untrusted
    }

    public var kind: Kind
    /// A short reason, such as `connection refused` or `timed out`; for ``Kind/insecure`` and
    /// ``Kind/untrusted``, what is wrong and what to do.
    public var reason: String

    public init(_ kind: Kind, _ reason: String) {
        self.kind = kind
        self.reason = reason
    }

    public var description: String { reason }
}
