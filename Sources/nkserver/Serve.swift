import ArgumentParser
import Foundation
import Logging
import NKServer

/// `nkserver serve`: runs the sync API until SIGINT or SIGTERM.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the sync server.",
        discussion: """
            Prints 'listening on http://HOST:PORT' (https:// with --tls-cert) on stdout once it accepts \
            connections (and, with --metrics-port, 'metrics on http://HOST:PORT/metrics' on stderr). Logs go \
            to stderr. GET /health answers 503 when the store does not answer a read or its disk has less \
            than 64 MiB left; GET /ready answers 503 while the server shuts down or the store does not answer.

            With --tls-cert and --tls-key it serves HTTPS only (TLS 1.2 and 1.3). SIGHUP reads both files \
            again: new connections get the new certificate, open ones keep theirs; if the new files \
            cannot be used, the server logs why and keeps the old certificate. Without TLS, SIGHUP is ignored.
            """
    )

    @OptionGroup var database: DatabaseOptions

    @Option(help: "The address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "The port to listen on; 0 takes a free port.")
    var port = 8080

    @Option(
        help: """
            Requests per second each user may send (bursts of twice that); 0 disables this limit and the \
            limit on failed authentications per client address.
            """)
    var rateLimit = 100

    @Option(
        help: ArgumentHelp(
            "Failed authentications per second per client address (bursts of 20 times as many); 0: no limit.",
            valueName: "N"))
    var failedAuthLimit = 1

    @Option(
        help: ArgumentHelp(
            "The server's certificate chain, PEM (the certificate first, then any intermediates). Needs --tls-key.",
            valueName: "PEM"))
    var tlsCert: String?

    @Option(help: ArgumentHelp("The certificate's private key, PEM, unencrypted. Needs --tls-cert.", valueName: "PEM"))
    var tlsKey: String?

    @Option(help: "Least severe log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel = "info"

    @Option(
        help: "How logs are written on stderr: text (one readable line per event) or json (one JSON object per line).")
    var logFormat = "text"

    @Option(
        help: ArgumentHelp(
            "Serve GET /metrics (Prometheus text) on this port, apart from the API; 0 takes a free port.",
            valueName: "PORT"))
    var metricsPort: Int?

    @Option(help: ArgumentHelp("The address of the metrics listener; keep it private.", valueName: "HOST"))
    var metricsHost = "127.0.0.1"

    func validate() throws {
        guard (0...65535).contains(port) else {
            throw ValidationError("--port must be 0 to 65535")
        }
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
        guard rateLimit >= 0 else {
            throw ValidationError("--rate-limit must be 0 (no limit) or more")
        }
        guard failedAuthLimit >= 0, failedAuthLimit <= 1_000_000 else {
            throw ValidationError("--failed-auth-limit must be 0 (no limit) to 1000000")
        }
        guard !host.isEmpty else {
            throw ValidationError("--host must not be empty")
        }
        guard LogFormat(rawValue: logFormat) != nil else {
            throw ValidationError("--log-format must be text or json")
        }
        if let metricsPort {
            guard (0...65535).contains(metricsPort) else { throw ValidationError("--metrics-port must be 0 to 65535") }
            guard metricsPort == 0 || metricsPort != port || metricsHost != host else {
                throw ValidationError("--metrics-port must differ from --port: metrics are served apart from the API")
            }
        }
        guard !metricsHost.isEmpty else { throw ValidationError("--metrics-host must not be empty") }
        guard (tlsCert == nil) == (tlsKey == nil) else {
            throw ValidationError("--tls-cert and --tls-key go together: give both to serve HTTPS, or neither")
        }
    }

    func run() async throws {
        LogFormat.current = LogFormat(rawValue: logFormat) ?? .text
        var logger = Logger(label: "nkserver")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        var configuration = ServerConfiguration(
            store: try database.location(), host: host, port: port, rateLimit: Double(rateLimit),
            rateLimitBurst: max(1, rateLimit.multipliedReportingOverflow(by: 2).overflow ? Int.max : rateLimit * 2))
        configuration.failedAuthRate = Double(failedAuthLimit)
        configuration.failedAuthBurst = 20 * max(1, failedAuthLimit)
        if rateLimit == 0 { configuration.failedAuthRate = 0 }
        if let metricsPort { configuration.metrics = (metricsHost, metricsPort) }
        if let tlsCert, let tlsKey {
            configuration.tls = TLSFiles(certificatePath: tlsCert, keyPath: tlsKey)
        }
        let scheme = configuration.tls == nil ? "http" : "https"
        do {
            try await runServer(
                configuration: configuration, logger: logger,
                onListening: { host, port in
                    FileHandle.standardOutput.write(Data("listening on \(Self.url(scheme, host, port))\n".utf8))
                },
                onMetricsListening: { host, port in
                    FileHandle.standardError.write(Data("metrics on \(Self.url("http", host, port))/metrics\n".utf8))
                })
        } catch let error as ServerError {
            throw error
        } catch {
            throw CommandLineError(
                "cannot serve on \(host):\(port): \(error)", status: Failure.unavailable)
        }
    }

    /// `scheme://host:port`, an IPv6 host in brackets.
    static func url(_ scheme: String, _ host: String, _ port: Int) -> String {
        "\(scheme)://\(host.contains(":") ? "[\(host)]" : host):\(port)"
    }
}
