import Foundation
import Hummingbird

/// The OpenAPI 3.1 document of the HTTP API (`Server/Resources/openapi.json`), served at
/// `GET /openapi.json`.
enum OpenAPIDocument {
    /// The document's bytes, read once from the module's resources.
    static let data: Data? = Bundle.module.url(forResource: "openapi", withExtension: "json")
        .flatMap { try? Data(contentsOf: $0) }

    static func response() throws -> Response {
        guard let data else {
            throw ServerError(.internal, "the OpenAPI document is missing from the server's resources")
        }
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
