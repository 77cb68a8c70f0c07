import ArgumentParser
import NKClient

/// `nkclient new-replica [--json]`.
struct NewReplicaCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "new-replica",
        abstract: "Carry on under a new replica id, keeping every unpushed change.",
        discussion: """
            For a replica folder restored from an older copy of itself (a laptop backup): the server holds \
            edits of this replica that the folder does not remember, and sync refuses to go on rather than \
            give one of those edit counters again. This retires the old replica id for good and moves every \
            unpushed change to a new one; the next sync pushes them. An unpushed edit of a note the server \
            holds an earlier version of may then show as a conflict with it: nothing is lost, and resolve \
            settles it. Works offline.
            """
    )

    @OptionGroup var options: HomeOptions

    @Flag(help: "Print {\"retired\", \"replica\", \"pending\"} as JSON.")
    var json = false

    func run() async throws {
        var replica = try options.openReplica()
        let summary = try replica.startNewReplica()
        if json {
            try Output.json(summary)
            return
        }
        let changes = summary.pending == 1 ? "1 unpushed change moves" : "\(summary.pending) unpushed changes move"
        Output.line(
            "replica \(summary.retired) retired; this folder is now replica \(summary.replica). "
                + "\(changes) to it and will be pushed on the next sync")
    }
}
