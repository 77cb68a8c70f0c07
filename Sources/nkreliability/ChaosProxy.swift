import Foundation
import NKTestSupport

/// A misbehaving HTTP proxy on 127.0.0.1 between nkclient and nkserver: it duplicates requests,
/// drops responses after the server committed, truncates bodies, delays and resets connections.
///
/// One request per client connection is handled; each goes to the server on a fresh connection.
final class ChaosProxy: @unchecked Sendable {
    enum Action: String, CaseIterable {
        case pass, duplicate, dropResponse = "drop_response", truncateResponse = "truncate_response"
        case truncateRequest = "truncate_request", delay, reset
    }

    private let serverPort: Int
    private let listener: Int32
    let port: Int
    private let lock = NSLock()
    private var rng: SeededRandom
    private var chaos = true
    private var counts: [Action: Int] = [:]

    init(serverPort: Int, seed: UInt64) throws {
        self.serverPort = serverPort
        rng = SeededRandom(seed: seed)
        let listening = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var one: Int32 = 1
        setsockopt(listening, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(listening, pointer, length) == 0 && listen(listening, 64) == 0
                    && getsockname(listening, pointer, &length) == 0
            }
        }
        guard bound else { throw SuiteFailure() }
        listener = listening
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    /// Turns the misbehaviour on or off (off: every request passes).
    func setChaos(_ on: Bool) { lock.withLock { chaos = on } }

    /// How many requests got each action.
    func tally() -> [Action: Int] { lock.withLock { counts } }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            guard client >= 0 else { return }
            Thread.detachNewThread { [self] in handle(client) }
        }
    }

    private func nextAction() -> (Action, Double) {
        lock.withLock {
            let action: Action
            if !chaos {
                action = .pass
            } else {
                let roll = Int.random(in: 0..<100, using: &rng)
                switch roll {
                case 0..<40: action = .pass
                case 40..<52: action = .duplicate
                case 52..<64: action = .dropResponse
                case 64..<72: action = .truncateResponse
                case 72..<80: action = .truncateRequest
                case 80..<92: action = .delay
                default: action = .reset
                }
            }
            counts[action, default: 0] += 1
            return (action, Double(Int.random(in: 20...300, using: &rng)) / 1000)
        }
    }

    private func handle(_ client: Int32) {
        defer { close(client) }
        guard let request = Self.readMessage(client, isResponse: false) else { return }
        let (action, delay) = nextAction()
        switch action {
        case .reset:
            var linger = linger(l_onoff: 1, l_linger: 0)
            setsockopt(client, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<linger>.size))
            return
        case .truncateRequest:
            // The server gets half a request, then the connection closes; the client gets nothing.
            _ = exchangeWithServer(request.prefix(max(1, request.count / 2)), expectAnswer: false)
            return
        case .delay:
            Thread.sleep(forTimeInterval: delay)
        case .duplicate:
            _ = exchangeWithServer(request, expectAnswer: true)
        default:
            break
        }
        guard let response = exchangeWithServer(request, expectAnswer: true) else { return }
        switch action {
        case .dropResponse:
            return
        case .truncateResponse:
            Self.sendAll(client, response.prefix(response.count * 2 / 3))
        default:
            Self.sendAll(client, response)
        }
    }

    private func exchangeWithServer(_ request: Data, expectAnswer: Bool) -> Data? {
        guard let server = LoopbackSocket.connect(port: serverPort, receiveTimeout: 30) else { return nil }
        defer { close(server) }
        Self.sendAll(server, request)
        guard expectAnswer else { return nil }
        return Self.readMessage(server, isResponse: true)
    }

    private static func sendAll(_ socketFD: Int32, _ data: Data) {
        data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let sent = send(socketFD, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                if sent <= 0 { return }
                offset += sent
            }
        }
    }

    /// Reads one HTTP message: headers, then a `Content-Length` body or a chunked body.
    private static func readMessage(_ socketFD: Int32, isResponse: Bool) -> Data? {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        func more() -> Bool {
            let count = recv(socketFD, &buffer, buffer.count, 0)
            if count <= 0 { return false }
            data.append(contentsOf: buffer[0..<count])
            return true
        }
        var headerEnd: Range<Data.Index>?
        while headerEnd == nil {
            guard more() else { return nil }
            headerEnd = data.range(of: Data("\r\n\r\n".utf8))
        }
        guard let headerEnd else { return nil }
        let head = String(decoding: data[..<headerEnd.lowerBound], as: UTF8.self).lowercased()
        let lines = head.split(separator: "\r\n")
        if let line = lines.first(where: { $0.hasPrefix("content-length:") }),
            let length = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces))
        {
            while data.count - headerEnd.upperBound < length { guard more() else { return data } }
        } else if lines.contains(where: { $0.hasPrefix("transfer-encoding:") && $0.contains("chunked") }) {
            while data[headerEnd.upperBound...].range(of: Data("0\r\n\r\n".utf8)) == nil {
                guard more() else { return data }
            }
        } else if isResponse, !lines.contains(where: { $0.hasPrefix("http/1.1 204") || $0.hasPrefix("http/1.1 304") }) {
            while more() {}
        }
        return data
    }
}
