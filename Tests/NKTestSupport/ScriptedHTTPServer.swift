import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// An HTTP/1.1 server on 127.0.0.1 (port chosen by the system) that answers each request with
/// whatever its handler returns: a server that is not NK Sync's, for testing what a client does
/// with anything a server may send. One thread accepts, one thread serves each connection.
public final class ScriptedHTTPServer: @unchecked Sendable {
    /// One request as received.
    public struct Request: Sendable {
        public var method: String
        /// The path with its query, as sent.
        public var target: String
        public var body: Data
        /// The request as received: head and body, as text.
        public var raw: String

        /// The path without the query.
        public var path: String { String(target.prefix { $0 != "?" }) }

        /// The value of query parameter `name`.
        public func query(_ name: String) -> String? {
            URLComponents(string: target)?.queryItems?.first { $0.name == name }?.value
        }
    }

    /// The answer to one request.
    public struct Response: Sendable {
        public var status: Int
        public var body: Data
        public var contentType: String
        /// Other header fields.
        public var headers: [String: String] = [:]

        public init(status: Int = 200, body: Data, contentType: String = "application/json") {
            self.status = status
            self.body = body
            self.contentType = contentType
        }

        /// A JSON answer from any value JSONSerialization accepts.
        public static func json(_ object: Any, status: Int = 200) -> Response {
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
            return Response(status: status, body: data)
        }
    }

    public let port: UInt16
    public var url: String { "http://127.0.0.1:\(port)" }
    private let listener: Int32
    private let lock = NSLock()
    private var handler: @Sendable (Request) -> Response
    private var received: [Request] = []
    private var connections = 0
    private var stopped = false

    public init(_ handler: @escaping @Sendable (Request) -> Response) throws {
        self.handler = handler
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.listener = listener
        var yes: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, length) }
        }
        guard bound == 0, listen(listener, 16) == 0 else {
            close(listener)
            throw HarnessError("cannot listen on 127.0.0.1")
        }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        port = UInt16(bigEndian: address.sin_port)
        Thread { [self] in acceptLoop() }.start()
    }

    /// From now on, requests are answered by `handler`.
    public func answer(_ handler: @escaping @Sendable (Request) -> Response) {
        lock.withLock { self.handler = handler }
    }

    /// Requests received so far.
    public var requests: [Request] { lock.withLock { received } }
    /// Connections accepted so far.
    public var connectionCount: Int { lock.withLock { connections } }

    /// Wakes the accept loop, which then closes the listener. Once only: after the loop closed it,
    /// the descriptor's number may already be another test's socket. (The accept loop holds the
    /// server, so it lives until stopped.)
    public func stop() {
        let first = lock.withLock {
            defer { stopped = true }
            return !stopped
        }
        if first { shutdown(listener, Int32(SHUT_RDWR)) }
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
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            if let request = Self.takeRequest(&buffer) {
                let handler = lock.withLock {
                    received.append(request)
                    return self.handler
                }
                let response = handler(request)
                let extra = response.headers.map { "\($0.key): \($0.value)\r\n" }.joined()
                var bytes = Array(
                    ("HTTP/1.1 \(response.status) Scripted\r\nContent-Type: \(response.contentType)\r\n\(extra)"
                        + "Content-Length: \(response.body.count)\r\n\r\n").utf8)
                bytes += response.body
                var sent = 0
                while sent < bytes.count {
                    let count = bytes[sent...].withUnsafeBytes {
                        send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
                    }
                    guard count > 0 else { return }
                    sent += count
                }
                continue
            }
            let count = recv(client, &chunk, chunk.count, 0)
            guard count > 0 else { return }
            buffer += chunk[0..<count]
        }
    }

    private static func takeRequest(_ buffer: inout [UInt8]) -> Request? {
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        guard let headEnd = buffer.firstRange(of: separator)?.upperBound else { return nil }
        let head = String(decoding: buffer[..<headEnd], as: UTF8.self)
        let lines = head.split(separator: "\r\n")
        let lengthLine = lines.first { $0.lowercased().hasPrefix("content-length:") }
        let length = lengthLine.flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
        guard buffer.count >= headEnd + length else { return nil }
        let requestLine = lines.first?.split(separator: " ") ?? []
        let request = Request(
            method: requestLine.first.map(String.init) ?? "",
            target: requestLine.count > 1 ? String(requestLine[1]) : "/",
            body: Data(buffer[headEnd..<(headEnd + length)]),
            raw: String(decoding: buffer[..<(headEnd + length)], as: UTF8.self))
        buffer.removeFirst(headEnd + length)
        return request
    }
}
