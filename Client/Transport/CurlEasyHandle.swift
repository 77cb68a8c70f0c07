import CCurl
import Foundation

/// One libcurl easy handle with its error buffer. Not thread-safe: ``CurlTransport`` uses it from
/// one serial queue only.
final class CurlEasyHandle {
    private let curl: UnsafeMutableRawPointer
    private let errorBuffer: UnsafeMutablePointer<CChar>

    init?() {
        guard let curl = curl_easy_init() else { return nil }
        self.curl = curl
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    }

    deinit {
        curl_easy_cleanup(curl)
        errorBuffer.deallocate()
    }

    /// Performs `request`, blocking until the response is complete or the transfer failed.
    func perform(_ request: HTTPRequest, configuration: CurlTransport.Configuration) -> Result<
        HTTPResponse, TransportError
    > {
        let sink = ResponseSink(limit: configuration.maxResponseBytes)
        var headers: UnsafeMutablePointer<curl_slist>?
        for header in request.headers {
            headers = curl_slist_append(headers, "\(header.name): \(header.value)")
        }
        // No `Expect: 100-continue` round trip for large bodies.
        headers = curl_slist_append(headers, "Expect:")
        defer { curl_slist_free_all(headers) }

        let body = request.body ?? Data()
        let code: CURLcode = body.withUnsafeBytes { raw -> CURLcode in
            errorBuffer[0] = 0
            _ = nk_curl_setopt_string(curl, CURLOPT_URL, request.url)
            _ = nk_curl_setopt_pointer(curl, CURLOPT_ERRORBUFFER, errorBuffer)
            _ = nk_curl_setopt_long(curl, CURLOPT_NOSIGNAL, 1)
            _ = nk_curl_setopt_long(curl, CURLOPT_CONNECTTIMEOUT, configuration.connectTimeout)
            _ = nk_curl_setopt_long(curl, CURLOPT_TIMEOUT, configuration.requestTimeout)
            _ = nk_curl_setopt_long(curl, CURLOPT_FOLLOWLOCATION, 0)
            _ = nk_curl_setopt_string(curl, CURLOPT_PROTOCOLS_STR, "http,https")
            // libcurl's defaults, said here because the transport's security rests on them.
            _ = nk_curl_setopt_long(curl, CURLOPT_SSL_VERIFYPEER, 1)
            _ = nk_curl_setopt_long(curl, CURLOPT_SSL_VERIFYHOST, 2)
            if let caFile = configuration.caFile {
                _ = nk_curl_setopt_string(curl, CURLOPT_CAINFO, caFile)
            }
            _ = nk_curl_setopt_slist(curl, CURLOPT_HTTPHEADER, headers)
            _ = nk_curl_setopt_write_function(curl, curlWriteCallback)
            _ = nk_curl_setopt_pointer(curl, CURLOPT_WRITEDATA, Unmanaged.passUnretained(sink).toOpaque())
            _ = nk_curl_setopt_header_function(curl, curlHeaderCallback)
            _ = nk_curl_setopt_pointer(curl, CURLOPT_HEADERDATA, Unmanaged.passUnretained(sink).toOpaque())
            switch request.method {
            case .get:
                _ = nk_curl_setopt_long(curl, CURLOPT_HTTPGET, 1)
            case .post:
                _ = nk_curl_setopt_long(curl, CURLOPT_POST, 1)
                _ = nk_curl_setopt_off_t(curl, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(raw.count))
                // A non-null pointer even for an empty body, so curl does not read from stdin.
                let pointer = UnsafeMutableRawPointer(mutating: raw.baseAddress) ?? UnsafeMutableRawPointer(errorBuffer)
                _ = nk_curl_setopt_pointer(curl, CURLOPT_POSTFIELDS, pointer)
            }
            let code = curl_easy_perform(curl)
            // The body buffer dies after this closure: never leave curl pointing at it.
            _ = nk_curl_setopt_pointer(curl, CURLOPT_POSTFIELDS, nil)
            _ = nk_curl_setopt_pointer(curl, CURLOPT_WRITEDATA, nil)
            _ = nk_curl_setopt_pointer(curl, CURLOPT_HEADERDATA, nil)
            return code
        }
        guard code == CURLE_OK else {
            if sink.overflowed {
                return .failure(
                    TransportError(.other, "the server's answer is larger than \(configuration.maxResponseBytes) bytes")
                )
            }
            var osErrno = 0
            _ = nk_curl_getinfo_long(curl, CURLINFO_OS_ERRNO, &osErrno)
            let detail = String(cString: errorBuffer)
            if let failure = TLSFailure(
                code, detail: detail, verifyResult: verifyResult(), url: request.url, caFile: configuration.caFile)
            {
                return .failure(failure.error)
            }
            return .failure(Self.classify(code, detail: detail, osErrno: Int32(truncatingIfNeeded: osErrno)))
        }
        var status = 0
        _ = nk_curl_getinfo_long(curl, CURLINFO_RESPONSE_CODE, &status)
        return .success(HTTPResponse(status: status, headers: sink.headers, body: sink.data))
    }

    /// The X.509 verification result of the last TLS handshake (0: none, or it verified).
    private func verifyResult() -> Int {
        var result = 0
        _ = nk_curl_getinfo_long(curl, CURLINFO_SSL_VERIFYRESULT, &result)
        return result
    }

    /// Turns a curl failure into a short, stable reason.
    static func classify(_ code: CURLcode, detail: String, osErrno: Int32 = 0) -> TransportError {
        let lowered = detail.lowercased()
        switch code {
        case CURLE_COULDNT_CONNECT:
            if osErrno == ECONNREFUSED || lowered.contains("refused") {
                return TransportError(.unreachable, "connection refused")
            }
            return TransportError(.unreachable, "could not connect")
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            return TransportError(.unreachable, "unknown host")
        case CURLE_OPERATION_TIMEDOUT:
            return TransportError(.unreachable, "timed out")
        case CURLE_GOT_NOTHING, CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_PARTIAL_FILE:
            return TransportError(.unreachable, "the connection was closed")
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION:
            return TransportError(.unreachable, "TLS failed: \(detail.isEmpty ? "handshake error" : detail)")
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL:
            return TransportError(.other, "the server URL is not valid")
        default:
            let text = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
            return TransportError(.other, text)
        }
    }
}

/// Collects a response's header fields and body; written by ``curlHeaderCallback`` and ``curlWriteCallback``.
private final class ResponseSink {
    var data = Data()
    /// Header fields of the latest response (an interim `100 Continue` or a redirect starts over).
    var headers: [String: String] = [:]
    var overflowed = false
    let limit: Int

    init(limit: Int) { self.limit = limit }
}

private func curlWriteCallback(
    _ pointer: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?
) -> Int {
    guard let context else { return 0 }
    let sink = Unmanaged<ResponseSink>.fromOpaque(context).takeUnretainedValue()
    let length = size * count
    guard sink.data.count + length <= sink.limit else {
        sink.overflowed = true
        return 0
    }
    if let pointer, length > 0 {
        sink.data.append(UnsafeRawPointer(pointer).assumingMemoryBound(to: UInt8.self), count: length)
    }
    return length
}

/// Called by curl once per header line, status line included.
private func curlHeaderCallback(
    _ pointer: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?
) -> Int {
    let length = size * count
    guard let context, let pointer, length > 0 else { return length }
    let sink = Unmanaged<ResponseSink>.fromOpaque(context).takeUnretainedValue()
    let line = String(decoding: UnsafeRawBufferPointer(start: pointer, count: length), as: UTF8.self)
    if line.hasPrefix("HTTP/") {
        sink.headers = [:]
    } else if let colon = line.firstIndex(of: ":") {
        let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
        let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
        if !name.isEmpty { sink.headers[name] = value }
    }
    return length
}
