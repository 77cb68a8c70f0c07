import Foundation
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
    /// The team's CA certificate (PEM, an absolute path) that the server's certificate must chain
    /// to, given at `init --cacert`; nil trusts the system's CAs.
    public var caFile: String?
    /// Whether the token may travel over plain `http://` to a host other than this computer
    /// (`init --insecure-http`). Default false.
    public var insecureHTTP: Bool

    public init(
        server: String, token: String, user: String, replica: ReplicaID, retiredReplicas: [ReplicaID] = [],
        caFile: String? = nil, insecureHTTP: Bool = false
    ) {
        self.server = ClientConfig.normalisedServer(server)
        self.token = token
        self.user = user
        self.replica = replica
        self.retiredReplicas = retiredReplicas
        self.caFile = caFile
        self.insecureHTTP = insecureHTTP
    }

    enum CodingKeys: String, CodingKey { case server, token, user, replica, retiredReplicas, caFile, insecureHTTP }

    /// Reads a config; one written before `retiredReplicas`, `caFile` or `insecureHTTP` existed has
    /// none, no CA of its own and no permission for plain HTTP.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        server = try container.decode(String.self, forKey: .server)
        token = try container.decode(String.self, forKey: .token)
        user = try container.decode(String.self, forKey: .user)
        replica = try container.decode(ReplicaID.self, forKey: .replica)
        retiredReplicas = try container.decodeIfPresent([ReplicaID].self, forKey: .retiredReplicas) ?? []
        caFile = try container.decodeIfPresent(String.self, forKey: .caFile)
        insecureHTTP = try container.decodeIfPresent(Bool.self, forKey: .insecureHTTP) ?? false
    }

    /// Writes a config; `retiredReplicas`, `caFile` and `insecureHTTP` only when set, so a config
    /// that never needed them stays as an older nkclient wrote it.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(server, forKey: .server)
        try container.encode(token, forKey: .token)
        try container.encode(user, forKey: .user)
        try container.encode(replica, forKey: .replica)
        if !retiredReplicas.isEmpty { try container.encode(retiredReplicas, forKey: .retiredReplicas) }
        try container.encodeIfPresent(caFile, forKey: .caFile)
        if insecureHTTP { try container.encode(insecureHTTP, forKey: .insecureHTTP) }
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

extension ClientConfig {
    /// Checks that `path` is a readable file holding a PEM certificate, and returns it absolute,
    /// so that commands run from another folder find it.
    public static func checkCAFile(_ path: String) throws(ClientError) -> String {
        let url = URL(fileURLWithPath: path)
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw ClientError(.invalidInput, "cannot read the CA file \(path)")
        }
        guard String(decoding: data, as: UTF8.self).contains("-----BEGIN CERTIFICATE-----") else {
            throw ClientError(
                .invalidInput, "the CA file \(path) holds no PEM certificate (-----BEGIN CERTIFICATE-----)")
        }
        return url.standardizedFileURL.path
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
