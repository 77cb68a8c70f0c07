import Crypto
import Foundation
import NIOSSL
import _CryptoExtras

extension TLSFiles {
    /// Reads both files and makes the server's TLS context: TLS 1.2 and 1.3, nothing older.
    ///
    /// Every failure is a ``ServerError`` of one line that names the file: `unreadable_file` when a
    /// file cannot be read, `invalid_tls` when it holds no PEM certificate or key, or when the key
    /// does not belong to the certificate. The key's text never appears in a message.
    func makeContext() throws(ServerError) -> NIOSSLContext {
        let certificateBytes = try Self.read(certificatePath, what: "certificate")
        let keyBytes = try Self.read(keyPath, what: "key")
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMBytes(certificateBytes)
        } catch {
            throw ServerError(
                .invalidTLS, "the TLS certificate \(certificatePath) is not a PEM certificate", underlying: error)
        }
        guard !chain.isEmpty else {
            throw ServerError(.invalidTLS, "the TLS certificate \(certificatePath) holds no PEM certificate")
        }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(bytes: keyBytes, format: .pem)
        } catch {
            throw ServerError(
                .invalidTLS, "the TLS key \(keyPath) is not an unencrypted PEM private key", underlying: error)
        }
        // Checked here first: NIOSSL finds a key of another certificate too, but leaks the context it
        // was making when it does (AddressSanitizer's leak check saw it at the exit that follows).
        if let keySPKI = Self.publicKeyInfo(ofPrivateKeyPEM: keyBytes),
            let certificateSPKI = try? chain[0].extractPublicKey().toSPKIBytes(), keySPKI != certificateSPKI
        {
            throw ServerError(
                .invalidTLS, "the TLS key \(keyPath) does not belong to the certificate \(certificatePath)")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw ServerError(
                .invalidTLS, "the TLS key \(keyPath) does not belong to the certificate \(certificatePath)",
                underlying: error)
        }
    }

    /// The DER SubjectPublicKeyInfo of a PEM private key's public half, for the keys swift-crypto reads
    /// (P-256, P-384, P-521, RSA); nil for any other.
    static func publicKeyInfo(ofPrivateKeyPEM bytes: [UInt8]) -> [UInt8]? {
        let pem = String(decoding: bytes, as: UTF8.self)
        if let key = try? P256.Signing.PrivateKey(pemRepresentation: pem) {
            return Array(key.publicKey.derRepresentation)
        }
        if let key = try? P384.Signing.PrivateKey(pemRepresentation: pem) {
            return Array(key.publicKey.derRepresentation)
        }
        if let key = try? P521.Signing.PrivateKey(pemRepresentation: pem) {
            return Array(key.publicKey.derRepresentation)
        }
        if let key = try? _RSA.Signing.PrivateKey(pemRepresentation: pem) {
            return Array(key.publicKey.derRepresentation)
        }
        return nil
    }

    private static func read(_ path: String, what: String) throws(ServerError) -> [UInt8] {
        do {
            return Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw ServerError(.unreadableFile, "cannot read the TLS \(what) \(path)", underlying: error)
        }
    }
}
