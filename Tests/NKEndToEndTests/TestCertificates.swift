import Foundation
import NKTestSupport

/// Throwaway CAs and server certificates, made with Debian's `openssl` command in a temporary
/// folder: EC P-256 keys, which take milliseconds.
final class TestCertificates: @unchecked Sendable {
    let folder: TemporaryFolder
    private static let openssl = URL(fileURLWithPath: "/usr/bin/openssl")

    /// A certificate and its key, as `nkserver serve --tls-cert --tls-key` takes them.
    struct Pair {
        let certificate: String
        let key: String

        var serveArguments: [String] { ["--tls-cert", certificate, "--tls-key", key] }
    }

    init() throws {
        folder = try TemporaryFolder("nk-certs")
    }

    deinit { folder.remove() }

    /// A self-signed CA named `name`; its certificate is `NAME.pem`.
    @discardableResult
    func makeCA(_ name: String) throws -> Pair {
        let pair = Pair(certificate: folder.path("\(name).pem"), key: folder.path("\(name).key"))
        try run([
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", pair.key, "-out", pair.certificate, "-days", "2", "-subj", "/CN=NK test CA \(name)",
        ])
        return pair
    }

    /// A server certificate `name` signed by the CA `ca`, naming `names` (`IP:127.0.0.1`,
    /// `DNS:localhost`), valid for `days` from now; a negative `days` makes it expired already.
    func makeServer(_ name: String, ca: Pair, names: [String], days: Int = 2) throws -> Pair {
        let pair = Pair(certificate: folder.path("\(name).pem"), key: folder.path("\(name).key"))
        let request = folder.path("\(name).csr")
        let extensions = folder.path("\(name).ext")
        try Data(
            """
            subjectAltName=\(names.joined(separator: ","))
            basicConstraints=CA:FALSE
            keyUsage=digitalSignature
            extendedKeyUsage=serverAuth

            """.utf8
        ).write(to: URL(fileURLWithPath: extensions))
        try run([
            "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", pair.key, "-out", request, "-subj", "/CN=\(name)",
        ])
        try run([
            "x509", "-req", "-in", request, "-CA", ca.certificate, "-CAkey", ca.key, "-days", String(days),
            "-extfile", extensions, "-out", pair.certificate,
        ])
        return pair
    }

    /// Copies `pair` over `onto` (the files a running server was started with), for a SIGHUP reload.
    func install(_ pair: Pair, onto: Pair) throws {
        for (from, to) in [(pair.certificate, onto.certificate), (pair.key, onto.key)] {
            let data = try Data(contentsOf: URL(fileURLWithPath: from))
            try data.write(to: URL(fileURLWithPath: to), options: .atomic)
        }
    }

    private func run(_ arguments: [String]) throws {
        let result = try runCommand(Self.openssl, arguments)
        guard result.succeeded else { throw HarnessError("openssl \(arguments.first ?? "") failed: \(result)") }
    }
}
