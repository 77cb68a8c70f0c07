import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import ServiceLifecycle

/// Builds the HTTP application on an open store: routes, auth and error middleware.
///
/// Tests call this with a store on a temporary database and drive it with `app.test(.live)`
/// (a server on 127.0.0.1, port 0).
///
/// - Parameters:
///   - services: what must run beside the server, in its service group (the ``PostgresStore``):
///     started before it, shut down after it has drained its requests.
///   - tls: the certificate to serve HTTPS with; nil serves plain HTTP.
///   - onListening: called once the server accepts connections, with the host and the port it
///     really bound (useful with port 0).
public func buildApplication(
    configuration: ServerConfiguration,
    store: any ServerStore,
    services: [any Service] = [],
    tls: ReloadableTLS? = nil,
    logger: Logger = Logger(label: "nkserver"),
    onListening: @escaping @Sendable (_ host: String, _ port: Int) async -> Void = { _, _ in }
) -> some ApplicationProtocol {
    let router = makeRouter(configuration: configuration, store: store)
    let host = configuration.host
    let configuredPort = configuration.port
    let http1 = HTTP1Channel.Configuration(
        additionalChannelHandlers: [MalformedRequestHandler()],
        idleTimeout: .nanoseconds(configuration.idleTimeoutNanoseconds))
    let server: HTTPServerBuilder =
        if let tls {
            HTTPServerBuilder { responder in
                ReloadableTLSChannel(base: HTTP1Channel(responder: responder, configuration: http1), tls: tls)
            }
        } else {
            .http1(configuration: http1)
        }
    return Application(
        router: router,
        server: server,
        configuration: .init(address: .hostname(host, port: configuredPort), serverName: "nkserver"),
        services: services,
        onServerRunning: { channel in
            await onListening(host, channel.localAddress?.port ?? configuredPort)
        },
        logger: logger
    )
}

/// The router of the API: error and log middleware, then the routes of ``SyncRoutes``, then the
/// 405 middleware (added last, it only wraps the not-found responder).
func makeRouter(configuration: ServerConfiguration, store: any ServerStore) -> Router<SyncRequestContext> {
    let router = Router(context: SyncRequestContext.self)
    // Outermost, so that it counts every answer with the status the error middleware gave it.
    router.add(middleware: MetricsMiddleware<SyncRequestContext>())
    router.add(middleware: ErrorMiddleware<SyncRequestContext>(maxBodyBytes: configuration.maxBodyBytes))
    router.add(middleware: LogRequestsMiddleware(.debug))
    SyncRoutes(store: store, configuration: configuration).add(to: router)
    router.add(
        middleware: MethodNotAllowedMiddleware<SyncRequestContext>(
            routes: router.routes.map { (path: $0.path, method: $0.method) }))
    return router
}

/// Opens the configured store (``ServerConfiguration/storeLocation``), runs the server on it until
/// SIGINT or SIGTERM, shuts down gracefully, then closes the store.
///
/// With ``ServerConfiguration/tls`` it serves HTTPS: the certificate and key are read first (a
/// failure stops it before the store is opened), and each SIGHUP reads them again for new
/// connections. With ``ServerConfiguration/metrics``, it also serves `GET /metrics` there (and
/// records metrics: once per process), calling `onMetricsListening` once that accepts connections.
public func runServer(
    configuration: ServerConfiguration,
    logger: Logger = Logger(label: "nkserver"),
    onListening: @escaping @Sendable (_ host: String, _ port: Int) async -> Void = { _, _ in },
    onMetricsListening: @escaping @Sendable (_ host: String, _ port: Int) async -> Void = { _, _ in }
) async throws {
    let tls: ReloadableTLS? =
        if let files = configuration.tls { try ReloadableTLS(files: files) } else { nil }
    let store: any ServerStore
    var services: [any Service]
    switch configuration.storeLocation {
    case .sqlite(let path):
        store = try SQLiteStore(path: path, logger: logger)
        services = []
    case .postgres(let url):
        let postgres = try await PostgresStore.open(url: url, logger: logger)
        (store, services) = (postgres, [postgres])
    }
    if let tls {
        services.append(await TLSReloadService.make(tls: tls, logger: logger))
    } else {
        // Nothing to reload over plain HTTP: a SIGHUP (`systemctl reload`, a closed terminal) is
        // ignored instead of ending the server.
        signal(SIGHUP, SIG_IGN)
    }
    if let metrics = configuration.metrics {
        ServerMetrics.bootstrap()
        services.append(
            MetricsListener.application(
                host: metrics.host, port: metrics.port, store: store, logger: logger, onListening: onMetricsListening))
    }
    let app = buildApplication(
        configuration: configuration, store: store, services: services, tls: tls, logger: logger,
        onListening: onListening)
    try await app.runService()
}
