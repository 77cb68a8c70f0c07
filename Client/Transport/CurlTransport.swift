import CCurl
import Dispatch
import Foundation

/// A ``Transport`` on libcurl's easy API.
///
/// `curl_easy_perform` blocks, so every request runs on the transport's own serial dispatch queue
/// and resumes the caller's continuation; Swift's cooperative pool is never blocked. One easy handle
/// is reused, so consecutive requests to the same server share a keep-alive connection.
// Unchecked: its one mutable property, the easy handle, is touched only on its serial `queue`.
public final class CurlTransport: Transport, @unchecked Sendable {
    /// Timeouts, in seconds, and whom to trust.
    public struct Configuration: Sendable {
        /// How long to wait for a connection. Default 10 s.
        public var connectTimeout: Int
        /// How long a whole request may take. Default 120 s.
        public var requestTimeout: Int
        /// The largest response body accepted. Default 512 MiB.
        public var maxResponseBytes: Int
        /// A CA certificate file (PEM) that the server's certificate must chain to, instead of the
        /// system's CAs. Default nil: the system's CAs.
        public var caFile: String?
        /// Whether plain `http://` may go to a host other than this computer (``TransportSecurity``).
        /// Default false.
        public var allowInsecureHTTP: Bool

        public init(
            connectTimeout: Int = 10, requestTimeout: Int = 120, maxResponseBytes: Int = 512 << 20,
            caFile: String? = nil, allowInsecureHTTP: Bool = false
        ) {
            self.connectTimeout = connectTimeout
            self.requestTimeout = requestTimeout
            self.maxResponseBytes = maxResponseBytes
            self.caFile = caFile
            self.allowInsecureHTTP = allowInsecureHTTP
        }

        /// This configuration with the replica's trust settings: its CA and whether it allows plain
        /// HTTP to another host.
        public func trusting(_ config: ClientConfig) -> Configuration {
            var result = self
            result.caFile = config.caFile
            result.allowInsecureHTTP = config.insecureHTTP
            return result
        }
    }

    private let configuration: Configuration
    private let queue = DispatchQueue(label: "nkclient.curl")
    // Touched only on `queue`.
    private var handle: CurlEasyHandle?

    /// Makes a transport. libcurl is initialised once per process.
    public init(configuration: Configuration = Configuration()) {
        _ = CurlTransport.globalInit
        self.configuration = configuration
    }

    /// A transport with the default timeouts and the trust settings of a replica's configuration.
    public convenience init(trusting config: ClientConfig) {
        self.init(configuration: Configuration().trusting(config))
    }

    private static let globalInit: Bool = nk_curl_global_init_default() == CURLE_OK

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<HTTPResponse, any Error>) in
            queue.async {
                continuation.resume(with: self.performOnQueue(request))
            }
        }
    }

    private func performOnQueue(_ request: HTTPRequest) -> Result<HTTPResponse, TransportError> {
        if let refusal = TransportSecurity.refusal(url: request.url, allowInsecureHTTP: configuration.allowInsecureHTTP)
        {
            return .failure(refusal)
        }
        if handle == nil {
            guard CurlTransport.globalInit, let made = CurlEasyHandle() else {
                return .failure(TransportError(.other, "libcurl could not be initialised"))
            }
            handle = made
        }
        guard let handle else { return .failure(TransportError(.other, "libcurl could not be initialised")) }
        return handle.perform(request, configuration: configuration)
    }
}
