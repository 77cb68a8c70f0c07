import CCurl

/// A failed TLS handshake, named by what the user can do about it rather than by curl's code.
///
/// Decided from curl's code, its error text and the X.509 verification result
/// (`CURLINFO_SSL_VERIFYRESULT`, OpenSSL's `X509_V_ERR_*`): curl checks the host name itself after
/// OpenSSL verified the chain, so a wrong host name comes with a verification result of 0.
enum TLSFailure: Hashable, Sendable {
    /// The certificate does not name the host of the server URL.
    case hostMismatch(host: String)
    /// No trusted CA signed the certificate: the system's CAs, or the configured CA file.
    case untrustedCA(caFile: String?)
    /// The certificate has expired or is not valid yet.
    case expired
    /// Another verification failure, with curl's text.
    case unverified(detail: String)
    /// The configured CA file cannot be read.
    case unreadableCAFile(String)
    /// The server answered something other than TLS (a plain HTTP server, most likely).
    case notTLS

    init?(_ code: CURLcode, detail: String, verifyResult: Int, url: String, caFile: String?) {
        let lowered = detail.lowercased()
        switch code {
        case CURLE_PEER_FAILED_VERIFICATION:
            // 62, 64: X509_V_ERR_HOSTNAME_MISMATCH, X509_V_ERR_IP_ADDRESS_MISMATCH; curl's own check of
            // the name says "no alternative certificate subject name matches target host name".
            if verifyResult == 62 || verifyResult == 64
                || (lowered.contains("subject name") && lowered.contains("host name"))
            {
                self = .hostMismatch(host: TransportSecurity.schemeAndHost(url)?.host ?? "the server's host")
                return
            }
            switch verifyResult {
            case 9, 10:  // X509_V_ERR_CERT_NOT_YET_VALID, X509_V_ERR_CERT_HAS_EXPIRED
                self = .expired
            case 2, 18, 19, 20, 21:  // no issuer, self-signed leaf or chain, no local issuer, leaf unverifiable
                self = .untrustedCA(caFile: caFile)
            default:
                self = .unverified(detail: detail)
            }
        case CURLE_SSL_CACERT_BADFILE:
            self = .unreadableCAFile(caFile ?? "")
        case CURLE_SSL_CONNECT_ERROR where lowered.contains("wrong version number"):
            self = .notTLS
        default:
            return nil
        }
    }

    /// The failure as the transport reports it: ``TransportError/Kind/untrusted`` for a certificate
    /// that failed verification, with what to do.
    var error: TransportError {
        switch self {
        case .hostMismatch(let host):
            TransportError(
                .untrusted,
                "its certificate does not name \(host.prefix(200)): use a host name the certificate holds in the "
                    + "server URL, or have the certificate reissued for \(host.prefix(200))")
        case .untrustedCA(nil):
            TransportError(
                .untrusted,
                "its certificate is not signed by a CA this computer trusts: give your team's CA with "
                    + "nkclient init --cacert FILE")
        case .untrustedCA(let file?):
            TransportError(
                .untrusted,
                "its certificate is not signed by the CA in \(file) (nkclient init --cacert): ask the server's "
                    + "admin which CA signs it")
        case .expired:
            TransportError(
                .untrusted,
                "its certificate has expired or is not valid yet: the server's admin must renew it (or this "
                    + "computer's clock is wrong)")
        case .unverified(let detail):
            TransportError(.untrusted, "its certificate failed verification (\(detail.prefix(200)))")
        case .unreadableCAFile(let file):
            TransportError(.other, "cannot read the CA file \(file) given at nkclient init --cacert")
        case .notTLS:
            TransportError(.other, "it does not answer TLS: the server may serve plain http://, not https://")
        }
    }
}
