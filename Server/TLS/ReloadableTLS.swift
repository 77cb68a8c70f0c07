import Logging
import NIOSSL
import Synchronization

/// The server's TLS context, which SIGHUP replaces.
///
/// Every new connection takes the context current when it is accepted (``ReloadableTLSChannel``);
/// connections already open keep the one they started with, so a reload drops none of them.
public final class ReloadableTLS: Sendable {
    public let files: TLSFiles
    private let context: Mutex<NIOSSLContext>

    /// Loads the files once; a failure here stops the server before it listens.
    public init(files: TLSFiles) throws(ServerError) {
        self.files = files
        context = Mutex(try files.makeContext())
    }

    /// The context for a connection accepted now.
    var current: NIOSSLContext {
        context.withLock { $0 }
    }

    /// Reads the files again. On failure the current context stays, so a half-written certificate
    /// never takes a running server down; the error says why.
    public func reload() throws(ServerError) {
        let fresh = try files.makeContext()
        context.withLock { $0 = fresh }
    }
}
