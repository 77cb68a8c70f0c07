/// Sends HTTP requests. The command line always uses ``CurlTransport``; tests use a stub.
public protocol Transport: Sendable {
    /// Sends `request` and returns the server's response, whatever its status.
    ///
    /// - Throws: ``TransportError`` when no response arrived.
    func send(_ request: HTTPRequest) async throws -> HTTPResponse
}
