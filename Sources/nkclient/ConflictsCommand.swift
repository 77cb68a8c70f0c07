import ArgumentParser
import NKClient
import NKProtocol

/// `nkclient conflicts [--json]`.
struct ConflictsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conflicts",
        abstract: "List records in conflict with each of their versions.",
        discussion: "Versions are numbered from 0 in a deterministic order; resolve with nkclient resolve ID --pick N."
    )

    @OptionGroup var options: HomeOptions

    @Flag(
        help:
            "Print [{\"id\", \"type\", \"versions\": [{\"note\", \"tags\", \"author\", \"editor\", \"deleted\", \"version\"}]}]."
    )
    var json = false

    func run() throws {
        let conflicts = try options.openReplica().conflicts()
        if json {
            try Output.json(conflicts)
            return
        }
        guard !conflicts.isEmpty else {
            Output.line("No conflicts.")
            return
        }
        for conflict in conflicts {
            Output.line("\(conflict.type.rawValue) \(Output.inline(conflict.id)) (\(conflict.versions.count) versions)")
            for (index, version) in conflict.versions.enumerated() {
                var line = "  [\(index)] \(Output.inline(version.version.description))"
                if let author = version.author { line += " by \(Output.inline(author))" }
                if let editor = version.editor { line += ", edited by \(Output.inline(editor))" }
                if version.deleted { line += "  DELETED" }
                Output.line(line)
                if let title = version.title { Output.line("      title: \(Output.clip(title, 70))") }
                if let tags = version.tags, !tags.isEmpty {
                    Output.line("      tags: \(tags.map(Output.inline).joined(separator: ", "))")
                }
                if let note = version.note { Output.line("      note: \(Output.clip(note, 70))") }
            }
        }
    }
}
