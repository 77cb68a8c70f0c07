import Foundation
import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NKProtocol

/// Gives a request that is not valid HTTP/1.1 the same JSON error body as every other error.
///
/// When SwiftNIO's decoder fails (`HTTPParserError`), Hummingbird's HTTP/1 channel answers a bare
/// `400` with an empty body and closes the connection (`HTTPChannelHandler.handleHTTP`); no router
/// middleware sees the request. This handler sits in the channel pipeline after the codec: it notes
/// the parser error on its way in and, when the `400` goes out, gives it the body
/// `{"error":{"code":"bad_request",...}}`, `Content-Type: application/json` and `NK-Protocol`.
/// Only that bare `400` (no body) after a parser error is rewritten.
final class MalformedRequestHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private var parseErrorSeen = false

    /// The body of the answer, encoded once.
    static let body: [UInt8] = {
        let error = ErrorResponse(
            code: .badRequest,
            message: "the request is not valid HTTP/1.1; the connection is closed")
        return Array((try? Wire.makeEncoder().encode(error)) ?? Data())
    }()

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if error is HTTPParserError { parseErrorSeen = true }
        context.fireErrorCaught(error)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        // Hummingbird's answer to the parser error is the one bare 400: a pipelined request answered
        // meanwhile with a 400 of our own carries a JSON body already.
        guard parseErrorSeen, case .head(var head) = unwrapOutboundIn(data), head.status == .badRequest,
            head.headerFields[.contentLength] == "0"
        else {
            context.write(data, promise: promise)
            return
        }
        parseErrorSeen = false
        head.headerFields[.contentType] = "application/json; charset=utf-8"
        head.headerFields[.contentLength] = String(Self.body.count)
        head.headerFields[.connection] = "close"
        head.headerFields[.nkProtocol] = String(Wire.protocolVersion)
        context.write(wrapOutboundOut(.head(head)), promise: promise)
        let buffer = context.channel.allocator.buffer(bytes: Self.body)
        context.write(wrapOutboundOut(.body(buffer)), promise: nil)
    }
}
