import Foundation
import NKTestSupport
import NKTestTraits
import Testing

/// `nkserver serve --tls-cert --tls-key` with real `nkclient` replicas over libcurl: a certificate
/// the client can verify syncs; a wrong host name, a CA not trusted, an expired certificate each
/// fail with one line and lose nothing; SIGHUP swaps the certificate without dropping connections;
/// plain HTTP to another host is refused before anything is sent.
@Suite(.processes, .tags(.live)) struct TLSLiveTests {
    /// A team CA, and a server on 127.0.0.1 serving a certificate it signed for 127.0.0.1 and
    /// localhost from the files `served`, which ``reload(to:)`` replaces.
    struct TLSServer {
        let certificates: TestCertificates
        let ca: TestCertificates.Pair
        let valid: TestCertificates.Pair
        let served: TestCertificates.Pair
        let server: LiveServer

        init() throws {
            certificates = try TestCertificates()
            ca = try certificates.makeCA("team")
            valid = try certificates.makeServer("valid", ca: ca, names: ["IP:127.0.0.1", "DNS:localhost"])
            served = TestCertificates.Pair(
                certificate: certificates.folder.path("served.pem"), key: certificates.folder.path("served.key"))
            try certificates.install(valid, onto: served)
            server = try LiveServer(serveArguments: served.serveArguments)
        }

        /// A researcher whose replica trusts the team CA, initialised and synced.
        func researcher(_ name: String, host: String = "127.0.0.1") throws -> Researcher {
            let researcher = try Researcher(name)
            let url = server.url.replacingOccurrences(of: "127.0.0.1", with: host)
            try researcher.ok("init", "--server", url, "--token", try server.addUser(name), "--cacert", ca.certificate)
            try researcher.ok("sync")
            return researcher
        }

        /// Serves `pair` from now on: copies it over the served files, sends SIGHUP and waits for
        /// the server to log the reload.
        func reload(to pair: TestCertificates.Pair) throws {
            let before = reloads
            try certificates.install(pair, onto: served)
            server.send(SIGHUP)
            guard try waitUntil(10 * harnessTimeScale, { reloads > before }) else {
                throw HarnessError("the server did not reload its certificate: \(server.log())")
            }
        }

        private var reloads: Int { server.log().components(separatedBy: "Reloaded the TLS certificate").count - 1 }
    }

    struct TrustOutput: Decodable {
        var pending: Int
        var cursor: Int
        var caFile: String?
    }

    @Test func aCertificateTheClientVerifiesSyncsByAddressAndByName() throws {
        let tls = try TLSServer()
        #expect(tls.server.url.hasPrefix("https://127.0.0.1:"))

        let alice = try tls.researcher("alice")
        #expect(try alice.json([PostOutput].self, "posts").count == 8)
        #expect(try alice.json(TrustOutput.self, "status").caFile == tls.ca.certificate)
        #expect(try alice.ok("status").contains("CA file:   \(tls.ca.certificate)"))

        let bob = try tls.researcher("bob", host: "localhost")
        #expect(try bob.json([PostOutput].self, "posts").count == 8)

        // login moves a replica to another URL of the same server, checked as init checks it; plain
        // http:// to another host changes nothing.
        let token = try #require(try configToken(of: alice))
        let elsewhere = try alice.run(["login", "--token", token, "--server", "http://nk-sync.invalid:8080"])
        #expect(elsewhere.status == 78, "\(elsewhere)")
        #expect(oneLine(elsewhere).contains("refusing to send the token over plain http://"))
        let byName = tls.server.url.replacingOccurrences(of: "127.0.0.1", with: "localhost")
        try alice.ok("login", "--token", token, "--server", byName)
        #expect(try alice.json(StatusOutput.self, "status").server == byName)
        #expect(try alice.json(SyncOutput.self, "sync").pulled == 0)

        // TLS 1.2 and 1.3 both answer.
        for version in ["--tlsv1.3", "--tls-max"] {
            let pinned = version == "--tls-max" ? ["--tls-max", "1.2"] : [version]
            let health = try runCommand(
                URL(fileURLWithPath: "/usr/bin/curl"),
                ["-sS", "--cacert", tls.ca.certificate, "-o", "/dev/null", "-w", "%{http_code}"] + pinned
                    + ["\(tls.server.url)/health"])
            #expect(health.stdout == "200", "\(pinned): \(health)")
        }
    }

    @Test func aWrongNameAnUntrustedCAAndAnExpiredCertificateEachFailInOneLineLosingNothing() throws {
        let tls = try TLSServer()
        let alice = try tls.researcher("alice")
        let posts = try alice.json([PostOutput].self, "posts")
        let post = try #require(posts.first { $0.title == "Seafood ban leaves processing plants idle" })
        try alice.ok("annotate", post.id, "--quote", "the latest round of sanctions", "--note", "kept through it all")
        #expect(try alice.json(TrustOutput.self, "status").pending == 1)

        // A replica without the team CA trusts the system's CAs only: init fails and creates nothing.
        let carol = try Researcher("carol")
        let refused = try carol.run(["init", "--server", tls.server.url, "--token", try tls.server.addUser("carol")])
        #expect(refused.status == 69)
        #expect(oneLine(refused).contains("is not signed by a CA this computer trusts"), "\(refused)")
        #expect(try carol.run(["status"]).succeeded == false)

        let otherCA = try tls.certificates.makeCA("other")
        let failures: [(pair: TestCertificates.Pair, says: String)] = [
            (
                try tls.certificates.makeServer("named", ca: tls.ca, names: ["DNS:other.example"]),
                "does not name 127.0.0.1"
            ),
            (
                try tls.certificates.makeServer("stranger", ca: otherCA, names: ["IP:127.0.0.1"]),
                "is not signed by the CA in"
            ),
            (try tls.certificates.makeServer("expired", ca: tls.ca, names: ["IP:127.0.0.1"], days: -1), "has expired"),
        ]
        for (pair, says) in failures {
            try tls.reload(to: pair)
            let sync = try alice.run(["sync"])
            #expect(sync.status == 69, "\(says): \(sync)")
            let line = oneLine(sync)
            #expect(line.contains("cannot trust the server at \(tls.server.url)"), "\(sync)")
            #expect(line.contains(says) && line.contains("the token was not sent"), "\(sync)")
            #expect(line.contains("1 local change is kept"), "\(sync)")
            #expect(try alice.json(TrustOutput.self, "status").pending == 1)
        }

        // The valid certificate again: the kept change goes out.
        try tls.reload(to: tls.valid)
        #expect(try alice.json(SyncOutput.self, "sync").pushed == 1)
        #expect(try alice.json(TrustOutput.self, "status").pending == 0)
    }

    @Test func aReloadServesTheNewCertificateWithoutDroppingAnOpenConnection() throws {
        let tls = try TLSServer()
        let alice = try tls.researcher("alice")
        let cursor = try alice.json(TrustOutput.self, "status").cursor
        let token = try #require(try configToken(of: alice))

        // Given a long poll open over the first certificate
        let poll = try BackgroundProcess(
            URL(fileURLWithPath: "/usr/bin/curl"),
            [
                "-sS", "--cacert", tls.ca.certificate, "-H", "Authorization: Bearer \(token)",
                "\(tls.server.url)/v1/wait?since=\(cursor)&timeout=3",
            ])
        Thread.sleep(forTimeInterval: 1)

        // When the server reloads a certificate of another CA
        let otherCA = try tls.certificates.makeCA("next")
        try tls.reload(to: try tls.certificates.makeServer("renewed", ca: otherCA, names: ["IP:127.0.0.1"]))

        // Then the open poll still ends normally, and new connections get the new certificate
        #expect(try poll.wait(timeout: 20) == 0)
        let viaNext = try runCommand(
            URL(fileURLWithPath: "/usr/bin/curl"),
            [
                "-sS", "--cacert", otherCA.certificate, "-o", "/dev/null", "-w", "%{http_code}",
                "\(tls.server.url)/health",
            ])
        #expect(viaNext.stdout == "200", "\(viaNext)")
        #expect(try alice.run(["sync"]).status == 69)
    }

    @Test func plainHTTPToAnotherHostIsRefusedBeforeAnythingIsSent() throws {
        let alice = try Researcher("alice")
        let refused = try alice.run(["init", "--server", "http://nk-sync.invalid:8080", "--token", "secret"])
        #expect(refused.status == 78)
        #expect(
            oneLine(refused).contains("refusing to send the token over plain http:// to nk-sync.invalid"), "\(refused)")
        #expect(try alice.run(["status"]).succeeded == false)
    }

    @Test func serveRefusesMissingOrUnusableTLSFiles() throws {
        let certificates = try TestCertificates()
        let ca = try certificates.makeCA("team")
        let one = try certificates.makeServer("one", ca: ca, names: ["IP:127.0.0.1"])
        let two = try certificates.makeServer("two", ca: ca, names: ["IP:127.0.0.1"])
        let garbage = certificates.folder.path("garbage.pem")
        try Data("not a certificate\n".utf8).write(to: URL(fileURLWithPath: garbage))
        let cases: [(arguments: [String], status: Int32, says: String)] = [
            (["--tls-cert", one.certificate], 64, "--tls-cert and --tls-key go together"),
            (["--tls-cert", certificates.folder.path("missing.pem"), "--tls-key", one.key], 66, "cannot read the TLS"),
            (["--tls-cert", garbage, "--tls-key", one.key], 65, "is not a PEM certificate"),
            (["--tls-cert", one.certificate, "--tls-key", garbage], 65, "is not an unencrypted PEM private key"),
            (["--tls-cert", one.certificate, "--tls-key", two.key], 65, "does not belong to the certificate"),
        ]
        for (arguments, status, says) in cases {
            let result = try runCommand(
                TestPaths.nkserver,
                ["serve", "--db", certificates.folder.path("server.sqlite"), "--port", "0"] + arguments, timeout: 30)
            #expect(result.status == status, "\(arguments): \(result)")
            #expect(oneLine(result).contains(says), "\(arguments): \(result)")
        }
    }

    /// The one line a failed command wrote on stderr; fails the test when it wrote more.
    private func oneLine(_ result: CommandResult, sourceLocation: SourceLocation = #_sourceLocation) -> String {
        let lines = result.stderr.split(whereSeparator: \.isNewline)
        #expect(lines.count == 1, "stderr: \(result.stderr)", sourceLocation: sourceLocation)
        return lines.first.map(String.init) ?? ""
    }

    /// The token in a researcher's `config.json`.
    private func configToken(of researcher: Researcher) throws -> String? {
        let data = try Data(contentsOf: researcher.home.url.appendingPathComponent("config.json"))
        return (try JSONSerialization.jsonObject(with: data) as? [String: Any])?["token"] as? String
    }
}
