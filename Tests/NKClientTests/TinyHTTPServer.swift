import Foundation
import NKTestSupport

/// An HTTP/1.1 server on 127.0.0.1 that answers every request with the same response, keeping
/// connections alive, and records what it received (head and body as text): enough to test the
/// libcurl transport. A ``ScriptedHTTPServer`` with one answer.
final class TinyHTTPServer: Sendable {
    private let server: ScriptedHTTPServer

    /// - Parameter headers: extra header lines, `Name: value`.
    init(status: Int = 200, body: String = #"{"user":"alice","readOnly":false}"#, headers: [String] = []) throws {
        var response = ScriptedHTTPServer.Response(status: status, body: Data(body.utf8))
        for line in headers {
            let parts = line.split(separator: ":", maxSplits: 1)
            response.headers[String(parts[0])] = parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : ""
        }
        server = try ScriptedHTTPServer { [response] _ in response }
    }

    var port: UInt16 { server.port }
    /// Requests received so far (head and body as text).
    var requests: [String] { server.requests.map(\.raw) }
    /// Connections accepted so far.
    var connectionCount: Int { server.connectionCount }

    func stop() { server.stop() }
}
