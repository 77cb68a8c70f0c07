import NKProtocol

/// How `nkserver serve` runs: where the database is, where to listen, and the request limits.
public struct ServerConfiguration: Sendable {
    /// The SQLite file; created if missing. Default `./nkserver.sqlite`. Used when ``store`` is nil.
    public var databasePath: String
    /// The store to serve from; nil means the SQLite file at ``databasePath``.
    public var store: StoreLocation?
    /// The address to bind. Default `127.0.0.1`.
    public var host: String
    /// The port to bind; 0 takes a free port. Default 8080.
    public var port: Int
    /// Largest request body, in bytes. Default ``NKProtocol/Wire/maxBodyBytes`` (8 MiB).
    public var maxBodyBytes: Int
    /// Most versions in one push. Default ``NKProtocol/Wire/maxPushBatch`` (500).
    public var maxPushBatch: Int
    /// Page size of a pull without `limit`. Default ``NKProtocol/Wire/defaultPullLimit`` (500).
    public var defaultPullLimit: Int
    /// Largest page of a pull; a larger `limit` is a 400 `bad_request`. Default ``NKProtocol/Wire/maxPullLimit``.
    public var maxPullLimit: Int
    /// Requests per second each user may send on average; 0 disables the limit. Default 100.
    public var rateLimit: Double
    /// Requests a user may send at once before the rate applies. Default 200.
    public var rateLimitBurst: Int
    /// Failed authentications per second each client address may send on average; 0 disables the
    /// limit. Over it, requests from the address are answered 429 before any database look-up.
    /// Default 1.
    public var failedAuthRate: Double = 1
    /// Failed authentications a client address may send at once before the rate applies. Default 20.
    public var failedAuthBurst: Int = 20
    /// How often a long poll checks that its token is still valid, besides when it ends. Default 5 s.
    public var waitTokenRecheck: Duration = .seconds(5)
    /// How often a long poll re-reads the database for changes made by other processes. Default 500 ms.
    public var waitRecheck: Duration = .milliseconds(500)
    /// How long a connection may stay silent before the server closes it: between requests (keep-alive)
    /// and while a request is being read, so a body shorter than its `Content-Length` cannot hold a
    /// connection for ever. A request read to its end is never cut while it is being answered, but keep
    /// this above the longest long poll (``NKProtocol/Wire/maxWaitSeconds``, 60 s) all the same.
    /// Default 75 s.
    public var idleTimeout: Duration = .seconds(Wire.maxWaitSeconds + 15)
    /// `GET /health` answers 503 when the disk of an SQLite store has less room than this. Default 64 MiB.
    public var minimumFreeDiskBytes: Int64 = 64 * 1_048_576
    /// Where `GET /metrics` (Prometheus text) is served, on a listener of its own; nil: no metrics.
    /// Keep it on loopback (or behind a firewall): it names routes and counts, for operators only.
    public var metrics: (host: String, port: Int)?
    /// The certificate and key to serve HTTPS with (TLS 1.2 and 1.3); nil serves plain HTTP.
    /// Default nil.
    public var tls: TLSFiles?

    public init(
        databasePath: String = "./nkserver.sqlite",
        store: StoreLocation? = nil,
        host: String = "127.0.0.1",
        port: Int = 8080,
        maxBodyBytes: Int = Wire.maxBodyBytes,
        maxPushBatch: Int = Wire.maxPushBatch,
        defaultPullLimit: Int = Wire.defaultPullLimit,
        maxPullLimit: Int = Wire.maxPullLimit,
        rateLimit: Double = 100,
        rateLimitBurst: Int = 200
    ) {
        self.databasePath = databasePath
        self.store = store
        self.host = host
        self.port = port
        self.maxBodyBytes = maxBodyBytes
        self.maxPushBatch = maxPushBatch
        self.defaultPullLimit = defaultPullLimit
        self.maxPullLimit = maxPullLimit
        self.rateLimit = rateLimit
        self.rateLimitBurst = rateLimitBurst
    }
}

extension ServerConfiguration {
    /// The store to open: ``store``, else the SQLite file at ``databasePath``.
    public var storeLocation: StoreLocation {
        store ?? .sqlite(path: databasePath)
    }

    /// ``idleTimeout`` in whole nanoseconds, as SwiftNIO takes it (clamped to about 290 years).
    var idleTimeoutNanoseconds: Int64 {
        let (seconds, attoseconds) = idleTimeout.components
        let whole = min(max(seconds, 0), Int64.max / 1_000_000_000 - 1)
        return whole * 1_000_000_000 + max(attoseconds, 0) / 1_000_000_000
    }
}
