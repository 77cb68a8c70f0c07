import Foundation
import Hummingbird
import NKProtocol

extension HTTPFields.Element.Name {
    /// `NK-Protocol`: the protocol version, on every response.
    static let nkProtocol = Self("NK-Protocol")!
    static let nkFeatures = Self("NK-Features")!
}

extension Response {
    /// A JSON response made with the wire encoder (ISO-8601 dates, sorted keys).
    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let data = try Wire.makeEncoder().encode(value)
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// A response whose body is JSON already encoded.
    static func json(bytes data: Data, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// The error body `{"error":{"code","message"}}`. Built without a throwing encoder path.
    static func error(_ body: ErrorResponse, status: HTTPResponse.Status) -> Response {
        if let response = try? json(body, status: status) { return response }
        return Response(status: .internalServerError)
    }
}
