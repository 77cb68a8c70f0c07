import ArgumentParser
import NKClient
import NKProtocol

/// `nkclient login --token TOKEN`.
struct LoginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login",
        abstract: "Replace the stored token, keeping the replica.",
        discussion: "Checks the token with the server when it can be reached; saves it anyway when it cannot."
    )

    @OptionGroup var options: HomeOptions

    @Option(help: ArgumentHelp("The new access token.", valueName: "TOKEN"))
    var token: String

    func validate() throws {
        if token.isEmpty { throw ValidationError("the token is empty") }
    }

    func run() async throws {
        var replica = try options.openReplica()
        let api = ServerAPI(
            server: replica.config.server, token: token, transport: CurlTransport(trusting: replica.config),
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
                .unauthorized, "the server at \(replica.config.server) rejected the new token; nothing changed")
        }
        try replica.replaceToken(token)
        Output.line("token updated for \(Output.inline(replica.config.user)) at \(replica.config.server)")
    }
}
