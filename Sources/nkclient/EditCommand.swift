import ArgumentParser
import NKClient

/// `nkclient edit ANN_ID [--note TEXT] [--tag TAG]... [--private | --shared]`.
struct EditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "edit",
        abstract: "Change an annotation's note, tags or visibility.",
        discussion:
            "Tags given replace the old ones (--tag \"\" clears them). Editing a conflicted annotation resolves it."
    )

    @OptionGroup var options: HomeOptions

    @Argument(help: ArgumentHelp("The annotation's id, or a unique prefix of it.", valueName: "ANN_ID"))
    var annotationID: String

    @Option(help: ArgumentHelp("The new note.", valueName: "TEXT"))
    var note: String?

    @Option(
        name: .customLong("tag"), help: ArgumentHelp("A tag (repeat for more); replaces the tags.", valueName: "TAG"))
    var tags: [String] = []

    @Flag var visibility: VisibilityFlag?

    func validate() throws {
        if note == nil && tags.isEmpty && visibility == nil {
            throw ValidationError("nothing to change: give --note, --tag, --private or --shared")
        }
    }

    func run() throws {
        try options.openReplica().edit(
            annotationID, note: note, tags: tags.isEmpty ? nil : tags, visibility: visibility?.visibility)
    }
}
