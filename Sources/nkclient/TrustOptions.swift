import ArgumentParser
import NKClient

/// `--cacert FILE` and `--insecure-http`: whom the replica trusts, shared by `init` and `login`.
struct TrustOptions: ParsableArguments {
    @Option(
        name: .customLong("cacert"),
        help: ArgumentHelp(
            "Trust only this CA certificate (PEM) for the server's certificate, instead of the system's CAs.",
            valueName: "FILE"))
    var caFile: String?

    @Flag(help: "Allow the token over plain http:// to a host other than this computer (a trusted network only).")
    var insecureHTTP = false

    /// `config` with what was given: the CA file checked and made absolute, plain HTTP allowed.
    func applied(to config: ClientConfig) throws(ClientError) -> ClientConfig {
        var result = config
        if let caFile { result.caFile = try ClientConfig.checkCAFile(caFile) }
        if insecureHTTP { result.insecureHTTP = true }
        return result
    }
}
