import ArgumentParser
import NKClient
import NKProtocol

/// `nkclient trash [--json]`.
struct TrashCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trash",
        abstract: "List deleted notes, newest first; nkclient restore ID brings one back.",
        discussion: "Only a note's author may restore it, as only its author may delete it."
    )

    @OptionGroup var options: HomeOptions

    @Flag(
        help: """
            Print [{"id", "postId", "postTitle", "author", "deletedBy", "deletedAt", "quote", "note", "tags", \
            "visibility"}].
            """)
    var json = false

    func run() throws {
        let entries = try options.openReplica().trash()
        if json {
            try Output.json(entries)
            return
        }
        guard !entries.isEmpty else {
            Output.line("The trash is empty.")
            return
        }
        for entry in entries {
            var line = "\(Output.inline(entry.id.rawValue))  \(Output.minute(entry.deletedAt))"
            line += "  by \(Output.inline(entry.author))"
            if let deletedBy = entry.deletedBy, deletedBy != entry.author {
                line += ", deleted by \(Output.inline(deletedBy))"
            }
            Output.line(line)
            if let title = entry.postTitle { Output.line("    post: \(Output.clip(title, 70))") }
            if let quote = entry.quote { Output.line("    \"\(Output.clip(quote, 60))\"") }
            if !entry.note.isEmpty { Output.line("    note: \(Output.clip(entry.note, 70))") }
        }
    }
}
