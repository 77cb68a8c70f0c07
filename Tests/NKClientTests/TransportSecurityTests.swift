import CCurl
import Foundation
import NKProtocol
import NKTestTraits
import Testing

@testable import NKClient

/// The rule of what may carry a token (plain HTTP to this computer only), the names of TLS
/// failures, and the trust settings kept in `config.json`.
@Suite(.tags(.unit)) struct TransportSecurityTests {
    @Test(arguments: [
        ("localhost", true), ("LOCALHOST", true), ("localhost.", true), ("127.0.0.1", true), ("127.8.9.10", true),
        ("[::1]", true), ("::1", true), ("[0:0:0:0:0:0:0:1]", true),
        ("128.0.0.1", false), ("10.0.0.1", false), ("127.0.0.1.example.org", false), ("localhost.example.org", false),
        ("[::2]", false), ("example.org", false), ("", false),
    ])
    func loopbackHosts(host: String, loopback: Bool) {
        #expect(TransportSecurity.isLoopback(host) == loopback)
    }

    @Test(arguments: [
        ("http://127.0.0.1:8080", true), ("http://localhost:8080/v1/me", true), ("http://[::1]:8080", true),
        ("https://example.org", true), ("HTTPS://example.org:8443/v1/me", true),
        ("http://example.org:8080", false), ("HTTP://example.org", false), ("http://10.1.2.3:8080", false),
        // curl reads the host after the user part, and the whole name: neither is loopback.
        ("http://127.0.0.1@example.org/", false), ("http://127.0.0.1.example.org/", false),
    ])
    func plainHTTPGoesOnlyToThisComputer(url: String, allowed: Bool) {
        let refusal = TransportSecurity.refusal(url: url, allowInsecureHTTP: false)
        #expect((refusal == nil) == allowed, "\(url): \(refusal?.reason ?? "allowed")")
        if let refusal { #expect(refusal.kind == .insecure) }
        #expect(TransportSecurity.refusal(url: url, allowInsecureHTTP: true) == nil)
    }

    @Test func aReplicaOnPlainHTTPToAnotherHostSendsNothingAndKeepsItsChanges() async throws {
        let folder = try ScratchFolder()
        let replica = try Fixtures.replica(in: folder)  // http://server.test
        try replica.annotate(post: Fixtures.post.id.rawValue, quote: "hard currency", note: "kept")
        let engine = SyncEngine(replica: replica, transport: CurlTransport(trusting: replica.config))

        await #expect {
            _ = try await engine.run()
        } throws: { error in
            guard let error = error as? ClientError else { return false }
            return error.code == .insecureTransport
                && error.message.hasPrefix("refusing to send the token over plain http:// to server.test")
                && error.message.contains("1 local change is kept")
        }
        #expect(try replica.status().pending == 1)

        var trusting = replica.config
        trusting.insecureHTTP = true
        #expect(CurlTransport.Configuration().trusting(trusting).allowInsecureHTTP)
    }

    @Test(
        arguments: [
            (CURLE_PEER_FAILED_VERIFICATION, "certificate has expired", 10, TLSFailure.expired),
            (CURLE_PEER_FAILED_VERIFICATION, "", 9, .expired),
            (
                CURLE_PEER_FAILED_VERIFICATION, "unable to get local issuer certificate", 20,
                .untrustedCA(caFile: "/ca.pem")
            ),
            (
                CURLE_PEER_FAILED_VERIFICATION, "self-signed certificate in certificate chain", 19,
                .untrustedCA(caFile: "/ca.pem")
            ),
            (
                CURLE_PEER_FAILED_VERIFICATION, "SSL: no alternative certificate subject name matches target host name",
                0,
                .hostMismatch(host: "127.0.0.1")
            ),
            (CURLE_PEER_FAILED_VERIFICATION, "", 62, .hostMismatch(host: "127.0.0.1")),
            (CURLE_PEER_FAILED_VERIFICATION, "certificate revoked", 23, .unverified(detail: "certificate revoked")),
            (CURLE_SSL_CACERT_BADFILE, "error setting certificate file", 0, .unreadableCAFile("/ca.pem")),
            (CURLE_SSL_CONNECT_ERROR, "error:0A00010B:SSL routines::wrong version number", 0, .notTLS),
        ] as [(CURLcode, String, Int, TLSFailure)])
    func tlsFailuresAreNamedByWhatToDo(code: CURLcode, detail: String, verifyResult: Int, expected: TLSFailure) {
        let failure = TLSFailure(
            code, detail: detail, verifyResult: verifyResult, url: "https://127.0.0.1:8443", caFile: "/ca.pem")
        #expect(failure == expected)
    }

    @Test func otherCurlFailuresAreNotTLSFailures() {
        #expect(TLSFailure(CURLE_COULDNT_CONNECT, detail: "", verifyResult: 0, url: "https://h", caFile: nil) == nil)
        #expect(
            TLSFailure(
                CURLE_SSL_CONNECT_ERROR, detail: "connection reset", verifyResult: 0, url: "https://h", caFile: nil)
                == nil)
    }

    @Test func aCertificateFailureIsOneLineThatSaysTheTokenWasNotSent() {
        let error = ServerAPI.classify(TLSFailure.expired.error, server: "https://nk.example.org")
        #expect(error.code == .untrustedServer)
        #expect(
            error.message
                == "cannot trust the server at https://nk.example.org: its certificate has expired or is not valid "
                + "yet: the server's admin must renew it (or this computer's clock is wrong); the token was not sent")
        #expect(!error.message.contains("\n"))
    }

    @Test func aConfigWrittenBeforeTheTrustSettingsStillReads() throws {
        let old = Data(
            #"{"replica":"rep-alice","server":"http://127.0.0.1:8080","token":"t","user":"alice"}"#.utf8)
        let config = try JSONDecoder().decode(ClientConfig.self, from: old)
        #expect(config.caFile == nil && config.insecureHTTP == false && config.user == "alice")

        // Unset, they are not written: the file stays as an older nkclient wrote it.
        let rewritten = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(config)) as? [String: Any]
        #expect(Set(rewritten?.keys.map { $0 } ?? []) == ["replica", "server", "token", "user"])

        var set = config
        set.caFile = "/etc/nk/team-ca.pem"
        set.insecureHTTP = true
        #expect(try JSONDecoder().decode(ClientConfig.self, from: try JSONEncoder().encode(set)) == set)
    }

    @Test func theCAFileMustHoldAPEMCertificate() throws {
        let folder = try ScratchFolder()
        let file = folder.url.appendingPathComponent("ca.pem")
        try Data("-----BEGIN CERTIFICATE-----\nMII=\n-----END CERTIFICATE-----\n".utf8).write(to: file)
        #expect(try ClientConfig.checkCAFile(file.path) == file.path)
        let text = folder.url.appendingPathComponent("notes.txt")
        try Data("hello\n".utf8).write(to: text)
        #expect(throws: ClientError.self) { try ClientConfig.checkCAFile(text.path) }
        #expect(throws: ClientError.self) {
            try ClientConfig.checkCAFile(folder.url.appendingPathComponent("none").path)
        }
    }
}
