import ArgumentParser
import Foundation
import NKClient
import NKProtocol

/// `nkclient tags [--json]`.
struct TagsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tags",
        abstract: "List the tags of the notes, with how many notes carry each.",
        discussion: """
            Tags are the same in any case: each is shown as first spelled (on the earliest note that carries \
            it), most used first.
            """
    )

    @OptionGroup var options: HomeOptions

    @Flag(help: "Print [{\"tag\", \"count\"}] as JSON.")
    var json = false

    func run() throws {
        let tags = try options.openReplica().tags()
        if json {
            try Output.json(tags)
            return
        }
        guard !tags.isEmpty else {
            Output.line("No tags yet.")
            return
        }
        for tag in tags { Output.line("\(Output.pad(String(tag.count), 6))  \(Output.inline(tag.tag))") }
    }
}

/// `nkclient tag rename OLD NEW`: commands on tags.
struct TagCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tag",
        abstract: "Change tags on every note.",
        subcommands: [TagRenameCommand.self]
    )
}

/// `nkclient tag rename OLD NEW`.
struct TagRenameCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rename",
        abstract: "Rename a tag (in any case) on every note that carries it.",
        discussion: """
            Each note renamed is an edit of yours, which syncs as usual. A note that is in conflict is left \
            alone (an edit would resolve it): resolve it, then rename again.
            """
    )

    @OptionGroup var options: HomeOptions

    @Argument(help: ArgumentHelp("The tag to rename, in any case.", valueName: "OLD"))
    var old: String

    @Argument(help: ArgumentHelp("The new tag, spelled as it should stay.", valueName: "NEW"))
    var new: String

    func validate() throws {
        if old.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
            || new.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
        {
            throw ValidationError("a tag cannot be empty")
        }
    }

    func run() throws {
        let result = try options.openReplica().renameTag(old, to: new)
        let count = result.renamed.count
        Output.line("renamed \(Output.inline(old)) to \(Output.inline(new)) on \(count) note\(count == 1 ? "" : "s")")
        for id in result.conflicted {
            Output.line("skipped \(Output.inline(String(id.rawValue.prefix(8)))): in conflict; resolve it first")
        }
    }
}
