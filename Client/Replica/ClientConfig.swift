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
    /// Ids this folder used before `nkclient new-replica` retired them (oldest first). Their
    /// counters are never given again.
    public var retiredReplicas: [ReplicaID]

    public init(server: String, token: String, user: String, replica: ReplicaID, retiredReplicas: [ReplicaID] = []) {
        self.server = ClientConfig.normalisedServer(server)
        self.token = token
        self.user = user
        self.replica = replica
        self.retiredReplicas = retiredReplicas
    }

    enum CodingKeys: String, CodingKey { case server, token, user, replica, retiredReplicas }

    /// Reads a config; one written before `retiredReplicas` existed has none.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        server = try container.decode(String.self, forKey: .server)
        token = try container.decode(String.self, forKey: .token)
        user = try container.decode(String.self, forKey: .user)
        replica = try container.decode(ReplicaID.self, forKey: .replica)
        retiredReplicas = try container.decodeIfPresent([ReplicaID].self, forKey: .retiredReplicas) ?? []
    }

    /// Writes a config; `retiredReplicas` only when there are some, so a config that never needed
    /// it stays readable by an older nkclient.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(server, forKey: .server)
        try container.encode(token, forKey: .token)
        try container.encode(user, forKey: .user)
        try container.encode(replica, forKey: .replica)
        if !retiredReplicas.isEmpty { try container.encode(retiredReplicas, forKey: .retiredReplicas) }
    }

    /// `server` trimmed, without trailing slashes.
    static func normalisedServer(_ server: String) -> String {
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
