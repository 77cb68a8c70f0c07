import Foundation

/// An HTTP/1.1 exchange over a plain TCP socket to 127.0.0.1: the bytes are sent exactly as given,
/// so a request may be anything a broken or hostile client could send.
struct RawResponse {
    var status: Int
    var body: Data

    /// `{"error":{"code":"..."}}`: the error's code, or nil when the body is not that shape.
    var errorCode: String? {
        let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any]
        return (object?["error"] as? [String: Any])?["code"] as? String
    }
}

enum RawConnection {
    /// Sends `bytes` and reads the answer until the server closes (requests carry `Connection: close`).
    /// Returns nil when no status line came back (the connection was reset or timed out).
    static func exchange(port: Int, _ bytes: Data, timeout: Int = 15) -> RawResponse? {
        // A server that answers early (413) stops reading: stop sending soon and read its answer.
        guard let socketFD = LoopbackSocket.connect(port: port, receiveTimeout: timeout, sendTimeout: 2) else {
            return nil
        }
        defer { close(socketFD) }
        var offset = 0
        bytes.withUnsafeBytes { raw in
            while offset < raw.count {
                let sent = send(socketFD, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                if sent <= 0 { break }
                offset += sent
            }
        }
        var received = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = recv(socketFD, &buffer, buffer.count, 0)
            if count <= 0 { break }
            received.append(contentsOf: buffer[0..<count])
        }
        return parse(received)
    }

    /// A request with `Connection: close` and a `Content-Length` matching `body` unless `headers` set one.
    static func request(
        _ method: String, _ target: String, token: String?, body: Data? = nil, headers: [String] = []
    ) -> Data {
        var lines = ["\(method) \(target) HTTP/1.1", "Host: 127.0.0.1", "Connection: close"]
        if let token { lines.append("Authorization: Bearer \(token)") }
        if let body {
            lines.append("Content-Type: application/json")
            if !headers.contains(where: {
                $0.lowercased().hasPrefix("content-length") || $0.lowercased().hasPrefix("transfer-encoding")
            }) {
                lines.append("Content-Length: \(body.count)")
            }
        }
        lines += headers
        var data = Data((lines.joined(separator: "\r\n") + "\r\n\r\n").utf8)
        if let body { data.append(body) }
        return data
    }

    private static func parse(_ data: Data) -> RawResponse? {
        guard let headerEnd = data.range(of: Data("\r\n\r\n".utf8)) else { return nil }
        let head = String(decoding: data[data.startIndex..<headerEnd.lowerBound], as: UTF8.self)
        let statusLine = head.split(separator: "\r\n").first ?? ""
        let parts = statusLine.split(separator: " ")
        guard parts.count >= 2, let status = Int(parts[1]) else { return nil }
        var body = Data(data[headerEnd.upperBound...])
        if head.lowercased().contains("transfer-encoding: chunked") { body = dechunk(body) }
        return RawResponse(status: status, body: body)
    }

    private static func dechunk(_ data: Data) -> Data {
        var result = Data()
        var index = data.startIndex
        while let lineEnd = data[index...].range(of: Data("\r\n".utf8)) {
            let sizeText = String(decoding: data[index..<lineEnd.lowerBound], as: UTF8.self)
            guard let size = Int(sizeText.split(separator: ";").first ?? "", radix: 16), size > 0 else { break }
            let start = lineEnd.upperBound
            let end = min(data.endIndex, start + size)
            result.append(data[start..<end])
            index = min(data.endIndex, end + 2)
        }
        return result
    }
}
