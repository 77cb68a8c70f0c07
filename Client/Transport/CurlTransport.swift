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
    /// Timeouts, in seconds.
    public struct Configuration: Sendable {
        /// How long to wait for a connection. Default 10 s.
        public var connectTimeout: Int
        /// How long a whole request may take. Default 120 s.
        public var requestTimeout: Int
        /// The largest response body accepted. Default 512 MiB.
        public var maxResponseBytes: Int

        public init(connectTimeout: Int = 10, requestTimeout: Int = 120, maxResponseBytes: Int = 512 << 20) {
            self.connectTimeout = connectTimeout
            self.requestTimeout = requestTimeout
            self.maxResponseBytes = maxResponseBytes
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

    private static let globalInit: Bool = nk_curl_global_init_default() == CURLE_OK

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<HTTPResponse, any Error>) in
            queue.async {
                continuation.resume(with: self.performOnQueue(request))
            }
        }
    }

    private func performOnQueue(_ request: HTTPRequest) -> Result<HTTPResponse, TransportError> {
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
