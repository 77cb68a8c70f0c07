import Foundation
import NKProtocol

/// The HTTP protocol's endpoints over a ``Transport``, with every failure classified once into a
/// ``ClientError``.
public struct ServerAPI: Sendable {
    /// The server's base URL, without a trailing slash.
    public let server: String
    let token: String
    let transport: any Transport
    /// What to do when the server answers 429.
    public var retryPolicy: RetryPolicy

    public init(server: String, token: String, transport: any Transport, retryPolicy: RetryPolicy = RetryPolicy()) {
        self.server = ClientConfig.normalisedServer(server)
        self.token = token
        self.transport = transport
        self.retryPolicy = retryPolicy
    }

    /// `GET /v1/me`: who the token belongs to.
    public func me() async throws(ClientError) -> MeResponse {
        try await call(.get, "/v1/me", as: MeResponse.self)
    }

    /// `POST /v1/push` of versions encoded here. Public for nkbench, which loads versions it makes
    /// itself; a sync pushes the outbox as stored (``push(replica:encodedVersions:)``).
    public func push(_ request: PushRequest) async throws(ClientError) -> PushResponse {
        let body: Data
        do {
            body = try Wire.makeEncoder().encode(request)
        } catch {
            throw ClientError(.invalidInput, "a local version could not be encoded: \(error)")
        }
        return try await call(.post, "/v1/push", body: body, as: PushResponse.self)
    }

    /// `POST /v1/push` of versions already in their wire JSON (``OutboxEntry/wireJSON``): the body
    /// is spliced, not encoded.
    func push(replica: ReplicaID, encodedVersions: [String]) async throws(ClientError) -> PushResponse {
        let body = Self.pushBody(replica: replica, encodedVersions: encodedVersions)
        return try await call(.post, "/v1/push", body: body, as: PushResponse.self)
    }

    /// A ``PushRequest``'s JSON, as `Wire.makeEncoder()` writes it (sorted keys), around versions
    /// already in their wire JSON. `WireSplicePropertyTests` holds the two byte for byte equal.
    static func pushBody(replica: ReplicaID, encodedVersions: [String]) -> Data {
        var body = "{\"replica\":" + OutboxEntry.quoted(replica.rawValue) + ",\"versions\":["
        body.reserveCapacity(encodedVersions.reduce(body.utf8.count + 2) { $0 + $1.utf8.count + 1 })
        for (index, version) in encodedVersions.enumerated() {
            if index > 0 { body += "," }
            body += version
        }
        body += "]}"
        return Data(body.utf8)
    }

    /// `GET /v1/changes?since=SEQ&limit=N[&replica=ID]`: with `replica`, the page also says the
    /// highest counter of that replica the server holds.
    public func changes(since cursor: Int64, limit: Int = Wire.defaultPullLimit, replica: ReplicaID? = nil)
        async throws(ClientError) -> PullResponse
    {
        let named = replica.map { "&replica=\(Self.escapePathSegment($0.rawValue))" } ?? ""
        return try await call(.get, "/v1/changes?since=\(cursor)&limit=\(limit)\(named)", as: PullResponse.self)
    }

    /// `GET /v1/records/{type}/{id}`: the record's current frontier, or nil when the server has none.
    public func record(type: RecordType, id: String) async throws(ClientError) -> RecordResponse? {
        let path = "/v1/records/\(type.rawValue)/\(Self.escapePathSegment(id))"
        do {
            return try await call(.get, path, as: RecordResponse.self)
        } catch  where error.serverStatus == 404 {
            return nil
        }
    }

    /// `GET /v1/history/{type}/{id}`: every version of the record the server has held that the
    /// user may read, oldest first; nil when the server has none. Checked before it is returned: a
    /// version of another record, or one that breaks the server's own rules, refuses the answer.
    public func history(type: RecordType, id: String) async throws(ClientError) -> [HistoryEntry]? {
        let path = "/v1/history/\(type.rawValue)/\(Self.escapePathSegment(id))"
        let response: HistoryResponse
        do {
            response = try await call(.get, path, as: HistoryResponse.self)
        } catch  where error.serverStatus == 404 {
            return nil
        }
        for entry in response.versions {
            do {
                guard entry.record.type == type, entry.record.id == id else {
                    throw ServerSentCheck.Refusal(reason: "the history of \(id) holds a version of another record")
                }
                try ServerSentCheck.check(entry.record)
            } catch let refusal as ServerSentCheck.Refusal {
                throw ClientError(
                    .badResponse, "the server at \(server) sent a history that fails its checks: \(refusal.reason)")
            } catch {
                throw ClientError(.badResponse, "the server at \(server) sent a history that fails its checks")
            }
        }
        return response.versions
    }

    /// `GET /v1/wait?since=SEQ&timeout=SECONDS`: returns as soon as the server has changes after
    /// `cursor`, or with `changed == false` after about `timeout` seconds.
    public func wait(since cursor: Int64, timeout: Int = Wire.defaultWaitSeconds) async throws(ClientError)
        -> WaitResponse
    {
        try await call(.get, "/v1/wait?since=\(cursor)&timeout=\(timeout)", as: WaitResponse.self)
    }

    private func call<T: Decodable>(
        _ method: HTTPRequest.Method, _ path: String, body: Data? = nil, as type: T.Type
    ) async throws(ClientError) -> T {
        var headers: [(name: String, value: String)] = [
            ("Authorization", "Bearer \(token)"),
            ("Accept", "application/json"),
            ("NK-Protocol", String(Wire.protocolVersion)),
            ("NK-Features", Wire.features.joined(separator: ",")),
            ("User-Agent", Release.userAgent("nkclient")),
        ]
        if body != nil { headers.append(("Content-Type", "application/json")) }
        let request = HTTPRequest(method: method, url: server + path, headers: headers, body: body)
        let response = try await sendRetryingWhenBusy(request)
        if let error = Self.checkProtocol(response, server: server) { throw error }
        if let error = Self.classify(status: response.status, body: response.body, server: server) {
            throw error
        }
        do {
            return try Wire.makeDecoder().decode(T.self, from: response.body)
        } catch {
            throw ClientError(
                .badResponse,
                "the server at \(server) sent an answer that is not NK Sync protocol version \(Wire.protocolVersion)")
        }
    }

    /// Sends `request`; while the server answers 429, waits as its `Retry-After` says and sends it
    /// again, at most ``RetryPolicy/maxRetries`` times.
    private func sendRetryingWhenBusy(_ request: HTTPRequest) async throws(ClientError) -> HTTPResponse {
        var attempt = 0
        while true {
            let response: HTTPResponse
            do {
                response = try await transport.send(request)
            } catch let error as TransportError {
                throw Self.classify(error, server: server)
            } catch {
                throw ClientError(.unreachable, "cannot reach the server at \(server) (\(error))")
            }
            guard response.status == 429 else { return response }
            guard attempt < retryPolicy.maxRetries else {
                var error = ClientError(
                    .rateLimited,
                    "the server at \(server) is busy (HTTP 429, rate limited) and still was after "
                        + "\(retryPolicy.maxRetries) retries; try again later",
                    serverCode: .rateLimited)
                error.serverStatus = 429
                throw error
            }
            attempt += 1
            let delay = retryPolicy.delay(retryAfter: response.header("Retry-After"))
            retryPolicy.onWait?(delay, attempt)
            do {
                try await retryPolicy.sleep(delay)
            } catch {
                throw ClientError(.rateLimited, "stopped while waiting for the busy server at \(server)")
            }
        }
    }

    /// A server that names another protocol version (its `NK-Protocol` header) as one line that
    /// says which side to upgrade; nil when it names ours or none (a proxy's own answer, say).
    static func checkProtocol(_ response: HTTPResponse, server: String) -> ClientError? {
        guard let named = response.header("NK-Protocol") else { return nil }
        let ours = Wire.protocolVersion
        guard let theirs = Int(named.trimmingWhitespaceAndNewlines()) else {
            return ClientError(.badResponse, "the server at \(server) names a protocol version that is not a number")
        }
        guard theirs != ours else { return nil }
        let upgrade = theirs > ours ? "upgrade nkclient" : "upgrade the server (nkserver)"
        return ClientError(
            .incompatibleServer,
            "the server at \(server) speaks NK Sync protocol \(theirs), this nkclient protocol \(ours): \(upgrade)")
    }

    /// A transport failure as a client error.
    static func classify(_ error: TransportError, server: String) -> ClientError {
        var failure =
            switch error.kind {
            case .unreachable: ClientError(.unreachable, "cannot reach the server at \(server) (\(error.reason))")
            case .other: ClientError(.unreachable, "cannot talk to the server at \(server) (\(error.reason))")
            case .insecure: ClientError(.insecureTransport, error.reason)
            case .untrusted:
                ClientError(
                    .untrustedServer, "cannot trust the server at \(server): \(error.reason); the token was not sent")
            }
        failure.transportError = error
        return failure
    }

    /// An HTTP status other than 2xx as a client error (nil for 2xx).
    ///
    /// The server's message and code are its own text, shown to the user: each is cut to one line
    /// of at most ``maxServerTextLength`` characters with control characters escaped
    /// (``TerminalText/oneLine(_:maxLength:)``), so a server cannot flood or drive the terminal.
    static func classify(status: Int, body: Data, server: String) -> ClientError? {
        guard !(200..<300).contains(status) else { return nil }
        let detail = try? Wire.makeDecoder().decode(ErrorResponse.self, from: body).error
        let said =
            detail.map {
                "\(TerminalText.oneLine($0.message, maxLength: maxServerTextLength)) "
                    + "(\(TerminalText.oneLine($0.code.rawValue, maxLength: 64)))"
            } ?? "HTTP \(status)"
        var error: ClientError
        switch status {
        case 401:
            error = ClientError(
                .unauthorized,
                "the server at \(server) rejected the token (wrong or revoked); run nkclient login --token TOKEN",
                serverCode: detail?.code)
        case 403:
            error = ClientError(.forbidden, "the server at \(server) refused: \(said)", serverCode: detail?.code)
        case 400..<500:
            error = ClientError(
                .rejectedByServer, "the server at \(server) refused the request: \(said)", serverCode: detail?.code)
        default:
            error = ClientError(.serverError, "the server at \(server) failed: \(said)", serverCode: detail?.code)
        }
        error.serverStatus = status
        return error
    }

    /// The longest server message shown, in characters (an ellipsis marks a cut).
    public static let maxServerTextLength = 300

    /// Percent-encodes everything but unreserved characters.
    static func escapePathSegment(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
