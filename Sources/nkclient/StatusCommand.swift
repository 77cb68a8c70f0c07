import ArgumentParser
import NKClient

/// `nkclient status [--json]`.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the server, user, replica id, unpushed changes, conflicts and last sync."
    )

    @OptionGroup var options: HomeOptions

    @Flag(help: "Print the status as JSON.")
    var json = false

    func run() throws {
        let status = try options.openReplica().status()
        if json {
            try Output.json(status)
            return
        }
        Output.line("server:    \(Output.inline(status.server))")
        if let caFile = status.caFile { Output.line("CA file:   \(Output.inline(caFile))") }
        if status.insecureHTTP { Output.line("http:      plain http:// allowed to any host (init --insecure-http)") }
        Output.line("user:      \(Output.inline(status.user))")
        Output.line("replica:   \(status.replica)")
        Output.line("pending:   \(status.pending)")
        Output.line("conflicts: \(status.conflicts)")
        Output.line("rejected:  \(status.rejected)" + (status.rejected > 0 ? " (nkclient rejected lists them)" : ""))
        Output.line("last sync: \(status.lastSync.map(ReplicaStatus.formatDate) ?? "never")")
        Output.line("cursor:    \(status.cursor)")
    }
}
