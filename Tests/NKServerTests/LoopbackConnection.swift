import Foundation
import NKTestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// One TCP connection to `127.0.0.1:port` that sends raw bytes and reads until the server closes it
/// or a read timeout passes: for what an HTTP client library will not send (a body shorter than its
/// `Content-Length`).
struct LoopbackConnection {
    struct Outcome {
        /// Everything received.
        var bytes: [UInt8]
        /// True when the server closed the connection; false when the read timeout ran out first.
        var closedByServer: Bool
        /// From the send to the close or the timeout.
        var elapsed: Duration

        var text: String { String(decoding: bytes, as: UTF8.self) }
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Sends `request` and reads until the server closes the connection or `readTimeout` passes
    /// without a byte. `source` is the local address to connect from (any of 127.0.0.0/8 on Linux:
    /// a second client address on one machine).
    /// On a thread of its own (``onThreadOfItsOwn(name:_:)``): the blocking socket calls never hold a
    /// thread of Swift's cooperative pool, which the server under test needs.
    static func exchange(
        port: Int, _ request: String, readTimeout: Int, from source: String? = nil
    ) async throws -> Outcome {
        try await onThreadOfItsOwn(name: "nk-loopback") {
            try exchangeBlocking(port: port, request, readTimeout: readTimeout, from: source)
        }
    }

    private static func exchangeBlocking(
        port: Int, _ request: String, readTimeout: Int, from source: String?
    ) throws -> Outcome {
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketFD >= 0 else { throw Failure(description: "socket() failed") }
        defer { close(socketFD) }
        if let source {
            var local = sockaddr_in()
            local.sin_family = sa_family_t(AF_INET)
            local.sin_addr.s_addr = inet_addr(source)
            let bound = withUnsafePointer(to: &local) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            guard bound == 0 else { throw Failure(description: "bind() to \(source) failed") }
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw Failure(description: "connect() to port \(port) failed") }
        var timeout = timeval(tv_sec: readTimeout, tv_usec: 0)
        setsockopt(socketFD, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))

        let clock = ContinuousClock()
        let start = clock.now
        let bytes = Array(request.utf8)
        let sent = bytes.withUnsafeBytes { send(socketFD, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard sent == bytes.count else { throw Failure(description: "send() failed") }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(socketFD, &buffer, buffer.count, 0)
            if count > 0 {
                received += buffer[0..<count]
            } else {
                // 0: the server closed; -1: the read timeout ran out (or the connection was reset).
                let closed = count == 0 || errno == ECONNRESET
                return Outcome(bytes: received, closedByServer: closed, elapsed: start.duration(to: clock.now))
            }
        }
    }
}
