import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A one-thread HTTP/1.1 server on 127.0.0.1 that answers every request with the same response,
/// keeping connections alive, and records what it received. Enough to test the libcurl transport.
final class TinyHTTPServer: @unchecked Sendable {
    let port: UInt16
    private let listener: Int32
    private let lock = NSLock()
    private var received: [String] = []
    private var connections = 0
    private let status: Int
    private let body: String
    private let extraHeaders: String

    init(status: Int = 200, body: String = #"{"user":"alice","readOnly":false}"#, headers: [String] = []) throws {
        self.status = status
        self.body = body
        extraHeaders = headers.map { $0 + "\r\n" }.joined()
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.listener = listener
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, length) }
        }
        guard bound == 0, listen(listener, 8) == 0 else { throw POSIXError(.EADDRINUSE) }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        port = UInt16(bigEndian: address.sin_port)
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    /// Requests received so far (head and body as text).
    var requests: [String] { lock.withLock { received } }
    /// Connections accepted so far.
    var connectionCount: Int { lock.withLock { connections } }

    /// Wakes the accept loop, which then closes the listener. Closing it here instead would let another
    /// test's new socket reuse the descriptor while this loop still accepts on it.
    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
    }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            guard client >= 0 else {
                close(listener)
                return
            }
            lock.withLock { connections += 1 }
            Thread { [self] in serve(client) }.start()
        }
    }

    private func serve(_ client: Int32) {
        defer { close(client) }
        var buffer = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            // Read one request: head, then Content-Length bytes of body.
            while true {
                if let request = takeRequest(&buffer) {
                    lock.withLock { received.append(request) }
                    let response =
                        "HTTP/1.1 \(status) X\r\nContent-Type: application/json\r\n\(extraHeaders)Content-Length: \(body.utf8.count)\r\n\r\n\(body)"
                    _ = response.withCString { send(client, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
                    break
                }
                let count = recv(client, &chunk, chunk.count, 0)
                guard count > 0 else { return }
                buffer += chunk[0..<count]
            }
        }
    }

    private func takeRequest(_ buffer: inout [UInt8]) -> String? {
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        guard let headEnd = buffer.firstRange(of: separator)?.upperBound else { return nil }
        let head = String(decoding: buffer[..<headEnd], as: UTF8.self)
        let lengthLine = head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
        let length = lengthLine.flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
        guard buffer.count >= headEnd + length else { return nil }
        let request = String(decoding: buffer[..<(headEnd + length)], as: UTF8.self)
        buffer.removeFirst(headEnd + length)
        return request
    }
}
