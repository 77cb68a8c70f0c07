import ArgumentParser
import NKClient

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
            print("No conflicts.")
            return
        }
        for conflict in conflicts {
            print("\(conflict.type.rawValue) \(conflict.id) (\(conflict.versions.count) versions)")
            for (index, version) in conflict.versions.enumerated() {
                var line = "  [\(index)] \(version.version)"
                if let author = version.author { line += " by \(author)" }
                if let editor = version.editor { line += ", edited by \(editor)" }
                if version.deleted { line += "  DELETED" }
                print(line)
                if let title = version.title { print("      title: \(Output.clip(title, 70))") }
                if let tags = version.tags, !tags.isEmpty { print("      tags: \(tags.joined(separator: ", "))") }
                if let note = version.note { print("      note: \(Output.clip(note, 70))") }
            }
        }
    }
}
