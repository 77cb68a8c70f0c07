import NKProtocol

/// The replica's settings, stored as `config.json` (mode 0600) beside `replica.sqlite`.
public struct ClientConfig: Codable, Hashable, Sendable {
    /// The server's base URL, without a trailing slash (`http://127.0.0.1:8080`).
    public var server: String
    /// The bearer token. Never printed or logged.
    public var token: String
    /// The user the token belongs to, learnt from `GET /v1/me`.
    public var user: String
    /// This replica's id: its key in version vectors.
    public var replica: ReplicaID

    public init(server: String, token: String, user: String, replica: ReplicaID) {
        self.server = ClientConfig.normalisedServer(server)
        self.token = token
        self.user = user
        self.replica = replica
    }

    /// `server` trimmed, without trailing slashes.
    public static func normalisedServer(_ server: String) -> String {
        var text = server.trimmingWhitespaceAndNewlines()
        while text.hasSuffix("/") { text.removeLast() }
        return text
    }

    /// Checks that `server` is an http or https URL with a host.
    public static func validateServer(_ server: String) throws(ClientError) {
        let text = normalisedServer(server)
        let lowered = text.lowercased()
        guard lowered.hasPrefix("http://") || lowered.hasPrefix("https://") else {
            throw ClientError(.invalidInput, "the server URL '\(text.prefix(200))' must start with http:// or https://")
        }
        let rest = text.drop { $0 != "/" }.dropFirst(2)
        guard !rest.isEmpty, !rest.contains(where: { $0 == " " || $0 == "?" || $0 == "#" }) else {
            throw ClientError(.invalidInput, "the server URL '\(text.prefix(200))' is not valid")
        }
    }
}

extension String {
    func trimmingWhitespaceAndNewlines() -> String {
        var scalars = Substring(self).unicodeScalars
        while let first = scalars.first, first.properties.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.properties.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
