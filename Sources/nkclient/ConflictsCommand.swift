import ArgumentParser
import NKClient
import NKProtocol

/// `nkclient conflicts [--json]`.
struct ConflictsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conflicts",
        abstract: "List records in conflict with each of their versions.",
        discussion: """
            Versions are numbered from 0 in a deterministic order; a post's versions after the first show             what they change from version 0 as a word diff ([-removed-] {+added+}). Settle with nkclient             resolve ID.
            """
    )

    @OptionGroup var options: HomeOptions

    @Flag(
        help:
            "Print [{\"id\", \"type\", \"versions\": [{\"note\", \"tags\", \"author\", \"editor\", \"deleted\", \"version\"}]}] (a post's versions: \"title\" and \"text\" instead of note, tags and author)."
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
            var heading =
                "\(conflict.type.rawValue) \(Output.inline(conflict.id)) (\(conflict.versions.count) versions)"
            if conflict.type == .post, let title = conflict.versions.first?.title {
                heading += ": \(Output.clip(title, 60))"
            }
            Output.line(heading)
            for (index, version) in conflict.versions.enumerated() {
                var line = "  [\(index)] \(Output.vector(version.version))"
                if let author = version.author { line += " by \(Output.inline(author))" }
                if let editor = version.editor {
                    line += ", edited by \(Output.inline(editor))"
                } else if conflict.type == .post {
                    line += ", imported"
                }
                if version.deleted { line += "  DELETED" }
                Output.line(line)
                if let title = version.title { Output.line("      title: \(Output.clip(title, 70))") }
                if let tags = version.tags, !tags.isEmpty {
                    Output.line("      tags: \(tags.map(Output.inline).joined(separator: ", "))")
                }
                if let note = version.note { Output.line("      note: \(Output.clip(note, 70))") }
                if index > 0, let text = version.text, let first = conflict.versions.first {
                    if let title = version.title, let firstTitle = first.title, title != firstTitle {
                        Output.line(
                            "      title vs [0]: \(Output.inline(WordDiff(from: firstTitle, to: title).plain()))")
                    }
                    let diff = WordDiff(from: first.text ?? "", to: text)
                    Output.line(
                        "      text vs [0]: "
                            + (diff.isEmpty ? "the same words" : Output.inline(diff.plain(context: 5))))
                }
            }
        }
    }
}
