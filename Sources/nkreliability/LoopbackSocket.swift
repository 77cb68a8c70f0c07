import Foundation

/// A TCP connection to 127.0.0.1 for the suites that talk raw bytes (the hostile client, the proxy).
enum LoopbackSocket {
    /// Connects to `port` with the given receive (and optional send) timeouts, in seconds.
    /// Returns the descriptor, or nil when the connection was refused; the caller closes it.
    static func connect(port: Int, receiveTimeout: Int, sendTimeout: Int? = nil) -> Int32? {
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketFD >= 0 else { return nil }
        var receive = timeval(tv_sec: receiveTimeout, tv_usec: 0)
        setsockopt(socketFD, SOL_SOCKET, SO_RCVTIMEO, &receive, socklen_t(MemoryLayout<timeval>.size))
        if let sendTimeout {
            var send = timeval(tv_sec: sendTimeout, tv_usec: 0)
            setsockopt(socketFD, SOL_SOCKET, SO_SNDTIMEO, &send, socklen_t(MemoryLayout<timeval>.size))
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            close(socketFD)
            return nil
        }
        return socketFD
    }
}
