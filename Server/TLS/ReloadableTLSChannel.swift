import HummingbirdCore
import Logging
import NIOCore
import NIOSSL

/// HTTP over TLS, each connection with the context current when it was accepted.
///
/// HummingbirdTLS's `TLSChannel` makes its `NIOSSLContext` once, for the life of the server; this
/// is the same channel with the context read from ``ReloadableTLS`` per connection, so that SIGHUP
/// can swap the certificate without a restart.
struct ReloadableTLSChannel<Base: HTTPChannelHandler>: HTTPChannelHandler {
    typealias Value = Base.Value

    let base: Base
    let tls: ReloadableTLS

    var responder: HTTPChannelHandler.Responder { base.responder }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let context = tls.current
        return channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
        }.flatMap {
            base.setup(channel: channel, logger: logger)
        }
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}
