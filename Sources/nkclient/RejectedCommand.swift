import ArgumentParser
import NKClient
import NKProtocol

/// `nkclient rejected [--json]`.
struct RejectedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rejected",
        abstract: "List your changes the server refused, with its reason and what to do.",
        discussion: """
            A rejected change stays in this replica, shown in notes, read and search, until you fix it with \
            nkclient edit (the next sync pushes the fixed version) or drop it with nkclient discard.
            """
    )

    @OptionGroup var options: HomeOptions

    @Flag(
        help:
            "Print [{\"type\", \"id\", \"postId\", \"title\", \"code\", \"message\", \"rejectedAt\", \"deleted\", \"note\", \"tags\", \"visibility\", \"quote\", \"version\", \"serverHasRecord\", \"fix\"}]."
    )
    var json = false

    func run() throws {
        let changes = try options.openReplica().rejectedChanges()
        if json {
            try Output.json(changes)
            return
        }
        guard !changes.isEmpty else {
            Output.line("No rejected changes.")
            return
        }
        for change in changes {
            var head = "\(change.type.rawValue) \(Output.inline(String(change.id.prefix(8))))"
            if change.type == .annotation, let visibility = change.visibility {
                head += "  \(Output.inline(visibility.rawValue))"
            }
            if let title = change.title { head += "  on \(Output.clip(title, 50))" }
            if let at = change.rejectedAt { head += "  rejected \(ReplicaStatus.formatDate(at))" }
            Output.line(head)
            if let quote = change.quote { Output.line("    “\(Output.clip(quote, 70))”") }
            if let note = change.note, !note.isEmpty { Output.line("    \(Output.clip(note, 74))") }
            if change.deleted { Output.line("    (a delete)") }
            Output.line("    reason: " + RejectedRemark.reason(change))
            Output.line("    fix: " + change.fix)
        }
    }
}
