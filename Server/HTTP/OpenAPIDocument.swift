import Foundation
import Hummingbird

/// The OpenAPI 3.1 document of the HTTP API (`Server/Resources/openapi.json`), served at
/// `GET /openapi.json`.
enum OpenAPIDocument {
    /// The document's bytes, read once: from the resources SwiftPM copies beside the executable
    /// (`nksync_NKServer.resources/`), else from the source tree it was built from. Not through
    /// `Bundle.module`, whose accessor stops the process when the resources are missing (an
    /// executable copied on its own): here that is a 500 on this one endpoint, never a crash.
    /// Bytes, not `Data`: a large `Data` keeps its storage pointer inside an enum whose case sits in the
    /// pointer's spare bits, where LeakSanitizer does not recognise it, so a `Data` held by a static is
    /// reported leaked at exit (scripts/sanitizers.sh; so does a three-line program with a global
    /// `Data(repeating: 7, count: 45_000)`, and not with `[UInt8]`). An array's buffer pointer is plain.
    static let data: [UInt8]? = {
        let executableFolder = URL(fileURLWithPath: CommandLine.arguments.first ?? "")
            .resolvingSymlinksInPath().deletingLastPathComponent()
        let candidates = [
            Bundle.main.bundleURL.appendingPathComponent("nksync_NKServer.resources/openapi.json"),
            executableFolder.appendingPathComponent("nksync_NKServer.resources/openapi.json"),
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("Resources/openapi.json"),
        ]
        return candidates.lazy.compactMap { try? Data(contentsOf: $0) }.first.map { [UInt8]($0) }
    }()

    static func response() throws -> Response {
        guard let data else {
            throw ServerError(.internal, "the OpenAPI document is missing from the server's resources")
        }
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
