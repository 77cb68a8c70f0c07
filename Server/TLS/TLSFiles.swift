/// Where `nkserver serve --tls-cert --tls-key` finds its certificate chain and private key, both PEM.
public struct TLSFiles: Sendable, Hashable {
    /// The server's certificate, followed by any intermediate certificates, in PEM.
    public var certificatePath: String
    /// The certificate's private key, in PEM, unencrypted.
    public var keyPath: String

    public init(certificatePath: String, keyPath: String) {
        self.certificatePath = certificatePath
        self.keyPath = keyPath
    }
}
