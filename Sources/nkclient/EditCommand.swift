import ArgumentParser
import NKClient

/// `nkclient edit ANN_ID [--note TEXT] [--tag TAG]... [--visibility V | --private | --shared]`.
struct EditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "edit",
        abstract: "Change an annotation's note, tags or visibility.",
        discussion:
            """
            Tags given replace the old ones (--tag "" clears them). Editing a conflicted annotation resolves it. \
            Only the author may change the visibility: shared (everyone), private (you only) or group:NAME \
            (the members of a research group).
            """
    )

    @OptionGroup var options: HomeOptions

    @Argument(help: ArgumentHelp("The annotation's id, or a unique prefix of it.", valueName: "ANN_ID"))
    var annotationID: String

    @Option(help: ArgumentHelp("The new note.", valueName: "TEXT"))
    var note: String?

    @Option(
        name: .customLong("tag"), help: ArgumentHelp("A tag (repeat for more); replaces the tags.", valueName: "TAG"))
    var tags: [String] = []

    @Option(
        name: .customLong("visibility"),
        help: ArgumentHelp("shared, private or group:NAME (author only).", valueName: "V"))
    var visibilityText: String?

    @Flag var shortcut: VisibilityFlag?

    func validate() throws {
        if note == nil && tags.isEmpty && visibilityText == nil && shortcut == nil {
            throw ValidationError("nothing to change: give --note, --tag or --visibility")
        }
        if visibilityText != nil && shortcut != nil {
            throw ValidationError("give only one of --visibility, --private and --shared")
        }
        if let visibilityText { _ = try VisibilityOption.parse(visibilityText) }
    }

    func run() throws {
        let visibility = try visibilityText.map(VisibilityOption.parse) ?? shortcut?.visibility
        try options.openReplica().edit(
            annotationID, note: note, tags: tags.isEmpty ? nil : tags, visibility: visibility)
    }
}
