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
        print("server:    \(status.server)")
        print("user:      \(status.user)")
        print("replica:   \(status.replica)")
        print("pending:   \(status.pending)")
        print("conflicts: \(status.conflicts)")
        print("rejected:  \(status.rejected)")
        print("last sync: \(status.lastSync.map(ReplicaStatus.formatDate) ?? "never")")
        print("cursor:    \(status.cursor)")
    }
}
