import Foundation
import NKProtocol
import NKTestTraits
import Testing

@testable import NKClient

@Suite(.tags(.unit)) struct CurlTransportTests {
    @Test func getAndPostReachTheServerOverOneKeptAliveConnection() async throws {
        let server = try TinyHTTPServer()
        defer { server.stop() }
        let transport = CurlTransport()
        let base = "http://127.0.0.1:\(server.port)"

        let first = try await transport.send(
            HTTPRequest(method: .get, url: base + "/v1/me", headers: [("Authorization", "Bearer t1")]))
        let body = Data(#"{"replica":"r","versions":[]}"#.utf8)
        let second = try await transport.send(
            HTTPRequest(
                method: .post, url: base + "/v1/push", headers: [("Content-Type", "application/json")], body: body))

        #expect(first.status == 200 && second.status == 200)
        #expect(try Wire.makeDecoder().decode(MeResponse.self, from: first.body).user == "alice")
        let requests = server.requests
        #expect(requests.count == 2)
        #expect(requests[0].hasPrefix("GET /v1/me HTTP/1.1") && requests[0].contains("Authorization: Bearer t1"))
        #expect(
            requests[1].hasPrefix("POST /v1/push HTTP/1.1") && requests[1].hasSuffix(#"{"replica":"r","versions":[]}"#))
        #expect(server.connectionCount == 1)
    }

    @Test func anErrorStatusIsAResponseNotAFailure() async throws {
        let server = try TinyHTTPServer(status: 401, body: #"{"error":{"code":"unauthorized","message":"no"}}"#)
        defer { server.stop() }
        let api = ServerAPI(server: "http://127.0.0.1:\(server.port)/", token: "t", transport: CurlTransport())
        await #expect {
            try await api.me()
        } throws: { error in
            (error as? ClientError)?.code == .unauthorized
        }
    }

    @Test func aClosedPortIsUnreachableWithTheReason() async throws {
        let server = try TinyHTTPServer()
        let port = server.port
        server.stop()
        let api = ServerAPI(server: "http://127.0.0.1:\(port)", token: "t", transport: CurlTransport())
        await #expect {
            try await api.me()
        } throws: { error in
            let error = error as? ClientError
            return error?.code == .unreachable
                && error?.message == "cannot reach the server at http://127.0.0.1:\(port) (connection refused)"
        }
    }
}
