import ArgumentParser
import NKClient
import NKProtocol

/// `nkclient login --token TOKEN [--server URL] [--cacert FILE] [--insecure-http]`.
struct LoginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login",
        abstract: "Replace the stored token, keeping the replica (and, if given, the server URL and whom to trust).",
        discussion: """
            Checks the token with the server when it can be reached; saves it anyway when it cannot. A server \
            whose certificate fails verification, or plain http:// to another host without --insecure-http, \
            changes nothing. --server moves the replica to the same server's new URL (https:// once it \
            serves TLS).
            """
    )

    @OptionGroup var options: HomeOptions

    @Option(help: ArgumentHelp("The new access token.", valueName: "TOKEN"))
    var token: String

    @Option(help: ArgumentHelp("The same server's new base URL, e.g. https://nk.example.org:8443.", valueName: "URL"))
    var server: String?

    @OptionGroup var trust: TrustOptions

    func validate() throws {
        if token.isEmpty { throw ValidationError("the token is empty") }
    }

    func run() async throws {
        var replica = try options.openReplica()
        var updated = try trust.applied(to: replica.config)
        updated.token = token
        if let server {
            try ClientConfig.validateServer(server)
            updated.server = ClientConfig.normalisedServer(server)
        }
        let api = ServerAPI(
            server: updated.server, token: token, transport: CurlTransport(trusting: updated),
            retryPolicy: BusyServer.policy)
        do {
            let me = try await api.me()
            guard me.user == replica.config.user else {
                throw ClientError(
                    .notAllowed,
                    "the token belongs to \(Output.inline(me.user)), but this replica is \(replica.config.user)'s; "
                        + "use a token of \(replica.config.user), or make a new replica with nkclient init --force")
            }
        } catch let error as ClientError where error.code == .unreachable {
            Output.warning("\(error.message); the token is saved without being checked")
        } catch let error as ClientError where error.code == .unauthorized {
            throw ClientError(
                .unauthorized, "the server at \(updated.server) rejected the new token; nothing changed")
        }
        try replica.replaceConnection(updated)
        Output.line("token updated for \(Output.inline(replica.config.user)) at \(replica.config.server)")
    }
}
