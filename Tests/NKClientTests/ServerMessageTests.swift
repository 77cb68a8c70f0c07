import Foundation
import NKClient
import NKProtocol
import NKTestTraits
import Testing

/// A server's error message reaches the user cut to one line of bounded length, with its control
/// characters escaped, however large or hostile the body is.
@Suite("Server messages shown to the user", .tags(.unit))
struct ServerMessageTests {
    /// The text of the error `api.me()` fails with against a server that always answers `status`
    /// with `body`.
    static func failure(status: Int, body: String) async throws -> ClientError {
        let server = try TinyHTTPServer(status: status, body: body)
        defer { server.stop() }
        let api = ServerAPI(server: "http://127.0.0.1:\(server.port)", token: "t", transport: CurlTransport())
        do {
            _ = try await api.me()
        } catch {
            return error
        }
        throw CancellationError()
    }

    static func errorBody(code: String, message: String) throws -> String {
        let data = try Wire.makeEncoder().encode(ErrorResponse(code: ErrorCode(rawValue: code), message: message))
        return String(decoding: data, as: UTF8.self)
    }

    static func hasRawControl(_ text: String) -> Bool {
        text.unicodeScalars.contains { TerminalText.isControl($0) }
    }

    @Test func aTwoMegabyteMessageIsCutToOneBoundedLine() async throws {
        let message = String(repeating: "x", count: 2_000_000)
        let error = try await Self.failure(status: 500, body: try Self.errorBody(code: "internal", message: message))
        #expect(error.code == .serverError)
        #expect(error.message.count < ServerAPI.maxServerTextLength + 200)
        #expect(error.message.contains("x…"))
        #expect(!error.message.contains("\n"))
    }

    @Test func aMultiLineMessageWithEscapesIsOneEscapedLine() async throws {
        let message = "bad\u{1B}]0;owned\u{7}\rpushed 2, pulled 0\nsecond line\u{9B}2J"
        let error = try await Self.failure(
            status: 400, body: try Self.errorBody(code: "odd\u{1B}[2J", message: message))
        #expect(error.code == .rejectedByServer)
        #expect(!Self.hasRawControl(error.message), "\(error.message.debugDescription)")
        #expect(error.message.contains(#"bad\e]0;owned\a…"#))
        #expect(!error.message.contains("second line"))
        #expect(error.message.contains(#"(odd\e[2J)"#))
    }

    @Test func aForbiddenMessageIsEscapedToo() async throws {
        let error = try await Self.failure(
            status: 403, body: try Self.errorBody(code: "forbidden", message: "no\u{1B}[31m red"))
        #expect(error.code == .forbidden)
        #expect(error.message.contains(#"no\e[31m red"#))
    }
}
