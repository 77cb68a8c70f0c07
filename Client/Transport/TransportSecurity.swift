import CCurl
import Foundation

/// The rule of what may carry a token: HTTPS to any host, plain HTTP only to this computer.
///
/// A token sent over plain HTTP can be read by anyone on the path, so plain `http://` goes only to
/// a loopback host (127.0.0.0/8, ::1, `localhost`), unless the configuration says `insecureHTTP`
/// (`nkclient init --insecure-http`: a network the user trusts). ``CurlTransport`` applies it to
/// every request before curl opens a connection, with curl's own URL parser, so the host checked is
/// the host curl would connect to.
enum TransportSecurity {
    /// Why `url` may not be sent to, or nil when it may.
    static func refusal(url: String, allowInsecureHTTP: Bool) -> TransportError? {
        guard !allowInsecureHTTP else { return nil }
        guard let (scheme, host) = schemeAndHost(url) else {
            return TransportError(.other, "the server URL is not valid")
        }
        return refusal(scheme: scheme, host: host)
    }

    /// The pure rule, on a URL's scheme and host as curl reads them.
    static func refusal(scheme: String, host: String) -> TransportError? {
        guard scheme.lowercased() == "http", !isLoopback(host) else { return nil }
        return TransportError(
            .insecure,
            "refusing to send the token over plain http:// to \(host.prefix(200)), which is not this computer: "
                + "use the server's https:// URL, or, on a network you trust, --insecure-http "
                + "(nkclient init, or login to keep a replica); nothing was sent")
    }

    /// Whether `host` names this computer: `localhost`, an IPv4 address in 127.0.0.0/8 (dotted
    /// quad only) or the IPv6 loopback `::1`, with or without brackets.
    static func isLoopback(_ host: String) -> Bool {
        var name = host.lowercased()
        if name.hasSuffix(".") { name.removeLast() }
        if name == "localhost" { return true }
        if name.hasPrefix("["), name.hasSuffix("]") { name = String(name.dropFirst().dropLast()) }
        var v4 = in_addr()
        if inet_pton(AF_INET, name, &v4) == 1 {
            return UInt32(bigEndian: v4.s_addr) >> 24 == 127
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, name, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { bytes in bytes.dropLast().allSatisfy { $0 == 0 } && bytes.last == 1 }
        }
        return false
    }

    /// The scheme and host of `url` as curl parses it; nil when curl cannot.
    static func schemeAndHost(_ url: String) -> (scheme: String, host: String)? {
        guard let handle = curl_url() else { return nil }
        defer { curl_url_cleanup(handle) }
        guard curl_url_set(handle, CURLUPART_URL, url, 0) == CURLUE_OK else { return nil }
        func part(_ which: CURLUPart) -> String? {
            var value: UnsafeMutablePointer<CChar>?
            guard curl_url_get(handle, which, &value, 0) == CURLUE_OK, let value else { return nil }
            defer { curl_free(value) }
            return String(cString: value)
        }
        guard let scheme = part(CURLUPART_SCHEME), let host = part(CURLUPART_HOST) else { return nil }
        return (scheme, host)
    }
}
