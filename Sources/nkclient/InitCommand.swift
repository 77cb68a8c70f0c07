import ArgumentParser
import NKClient
import NKProtocol

/// `nkclient init --server URL --token TOKEN [--cacert FILE] [--insecure-http] [--force]`.
struct InitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create the local replica for a server and a token.",
        discussion: """
            Asks the server who the token belongs to (GET /v1/me); creates nothing if that fails.

            An https:// server's certificate is checked against the system's CAs, or only against the \
            team's CA given with --cacert (kept in the replica's configuration). The token goes over \
            plain http:// only to this computer (127.0.0.0/8, ::1, localhost), unless --insecure-http \
            says the network is trusted.
            """
    )

    @OptionGroup var options: HomeOptions

    @Option(help: ArgumentHelp("The server's base URL, e.g. http://127.0.0.1:8080.", valueName: "URL"))
    var server: String

    @Option(help: ArgumentHelp("Your access token.", valueName: "TOKEN"))
    var token: String

    @OptionGroup var trust: TrustOptions

    @Flag(help: "Replace an existing replica (its unpushed changes are lost).")
    var force = false

    func validate() throws {
        if token.isEmpty { throw ValidationError("the token is empty") }
    }

    func run() async throws {
        let home = options.replicaHome
        try Replica.checkCanCreate(home: home, replacing: force)
        try ClientConfig.validateServer(server)
        var config = try trust.applied(
            to: ClientConfig(server: server, token: token, user: "", replica: ReplicaID.random()))
        let api = ServerAPI(
            server: server, token: token, transport: CurlTransport(trusting: config), retryPolicy: BusyServer.policy)
        let me = try await Self.whoAmI(api)
        config.user = me.user
        let replica = try Replica.create(home: home, config: config, replacing: force)
        let readOnly = me.readOnly ? " (read-only)" : ""
        Output.line(
            "initialised replica \(replica.config.replica) for \(Output.inline(me.user))\(readOnly) at \(replica.config.server)"
        )
    }

    /// Asks the server who the token belongs to; a rejected token creates nothing.
    private static func whoAmI(_ api: ServerAPI) async throws -> MeResponse {
        let result: Result<MeResponse, ClientError>
        do {
            result = .success(try await api.me())
        } catch {
            result = .failure(error)
        }
        switch result {
        case .success(let me):
            return me
        case .failure(let error) where error.code == .unauthorized:
            throw ClientError(
                .unauthorized, "the server at \(api.server) rejected the token (wrong or revoked); nothing was created")
        case .failure(let error):
            throw error
        }
    }
}
