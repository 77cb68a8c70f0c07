import Logging
import ServiceLifecycle
import UnixSignals

/// Reloads the TLS certificate and key on each SIGHUP, until the server shuts down.
///
/// The signal handler is installed by ``make(tls:logger:)``, before the server listens, so a SIGHUP
/// sent as soon as `listening on` is printed reloads rather than ending the process (SIGHUP's
/// default action).
struct TLSReloadService: Service {
    let tls: ReloadableTLS
    let hangups: UnixSignalsSequence
    let logger: Logger

    static func make(tls: ReloadableTLS, logger: Logger) async -> TLSReloadService {
        TLSReloadService(tls: tls, hangups: await UnixSignalsSequence(trapping: .sighup), logger: logger)
    }

    func run() async throws {
        for await _ in hangups.cancelOnGracefulShutdown() {
            do {
                try tls.reload()
                logger.notice(
                    "Reloaded the TLS certificate and key",
                    metadata: ["tls.certificate": "\(tls.files.certificatePath)"])
            } catch {
                logger.error(
                    "Kept the previous TLS certificate: the reload failed",
                    metadata: ["error": "\(error.message)"])
            }
        }
    }
}
