import CoreMetrics
import Foundation
import Hummingbird
import Logging
import Metrics
import NKProtocol
import Prometheus
import ServiceLifecycle

/// What nkserver measures, through swift-metrics: exported in the Prometheus text format by
/// `GET /metrics` on the metrics listener (``MetricsListener``), and recorded nowhere (swift-metrics'
/// no-op backend) when the server runs without one, as in tests.
///
/// | name | kind | labels |
/// |---|---|---|
/// | `hb_requests` (Hummingbird's `MetricsMiddleware`) | counter | `http_route`, `http_request_method`, `http_response_status_code` |
/// | `hb_request_errors` | counter | `http_route`, `http_request_method`, `error_type` |
/// | `http_server_request_duration` | histogram (seconds) | `http_route`, `http_request_method`, `http_response_status_code` |
/// | `http_server_active_requests` | gauge | `http_request_method` |
/// | `nk_push_items_total` | counter | `result`: applied, unchanged, conflict, rejected |
/// | `nk_pull_pages_total` | counter | |
/// | `nk_long_polls_open` | gauge | |
/// | `nk_store_errors_total` | counter | `code`: unavailable (the store failed, 503) or internal (500) |
/// | `nk_database_bytes` | gauge, read at each scrape | |
enum ServerMetrics {
    /// Counts a push's items by result.
    static func recordPush(_ results: [PushItemResult]) {
        var byStatus: [PushStatus: Int] = [:]
        for result in results { byStatus[result.status, default: 0] += 1 }
        for (status, count) in byStatus {
            Counter(label: "nk_push_items_total", dimensions: [("result", status.rawValue)]).increment(by: count)
        }
    }

    static let pullPages = Counter(label: "nk_pull_pages_total")
    static let longPolls = Meter(label: "nk_long_polls_open")
    static let databaseBytes = Gauge(label: "nk_database_bytes")

    static func recordPullPage() { pullPages.increment() }
    static func longPollStarted() { longPolls.increment() }
    static func longPollEnded() { longPolls.decrement() }

    /// Counts an answer the store's failure caused (503 `unavailable`, 500 `internal`).
    static func recordStoreError(_ code: ErrorCode) {
        Counter(label: "nk_store_errors_total", dimensions: [("code", code.rawValue)]).increment()
    }

    /// The registry `/metrics` writes, once the process has bootstrapped swift-metrics with it.
    static let registry = PrometheusCollectorRegistry()

    /// Makes swift-metrics record into ``registry``. Once per process (swift-metrics allows one
    /// bootstrap), by `runServer` when a metrics listener is configured.
    static func bootstrap() {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.nameAndLabelSanitizer = { name, labels in
            (prometheusName(name), labels.map { (prometheusName($0.0), $0.1) })
        }
        MetricsSystem.bootstrap(factory)
    }

    /// `http.server.requests` as Prometheus spells names: letters, digits and `_`.
    static func prometheusName(_ name: String) -> String {
        let kept = name.unicodeScalars.map { scalar -> Character in
            let plain = scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar))
            return plain ? Character(scalar) : "_"
        }
        return String(kept)
    }
}

/// The metrics listener: `GET /metrics` in the Prometheus text format on its own address (loopback by
/// default), apart from the API, so that it is never public.
enum MetricsListener {
    static func application(
        host: String, port: Int, store: any ServerStore, logger: Logger,
        onListening: @escaping @Sendable (_ host: String, _ port: Int) async -> Void
    ) -> some ApplicationProtocol {
        let router = Router()
        router.get("metrics") { _, _ -> Response in
            if let facts = try? await store.storageFacts() { ServerMetrics.databaseBytes.record(facts.databaseBytes) }
            var buffer = ByteBuffer()
            buffer.writeBytes(ServerMetrics.registry.emitToBuffer())
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: buffer))
        }
        return Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "nkserver-metrics"),
            onServerRunning: { channel in await onListening(host, channel.localAddress?.port ?? port) },
            logger: logger)
    }
}
