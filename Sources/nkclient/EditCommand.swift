import ArgumentParser
import NKClient

/// `nkclient edit ANN_ID [--note TEXT] [--tag TAG]... [--visibility V | --private | --shared]
/// [--quote TEXT [--occurrence N]]`.
struct EditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "edit",
        abstract: "Change an annotation's note, tags, visibility or passage.",
        discussion:
            """
            Tags given replace the old ones (--tag "" clears them). Editing a conflicted annotation resolves it. \
            Only the author may change the visibility: shared (everyone), private (you only) or group:NAME \
            (the members of a research group). --quote moves the note to a passage of the post as it reads \
            now: an orphaned note is re-attached, a note on the whole post gets a passage. A reply keeps \
            the visibility of the note it answers, and has no passage.
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

    @Option(help: ArgumentHelp("Move the note to this passage of the post's current text.", valueName: "TEXT"))
    var quote: String?

    @Option(help: ArgumentHelp("Which occurrence of the quote, from 1, when it occurs more than once.", valueName: "N"))
    var occurrence: Int?

    func validate() throws {
        if note == nil && tags.isEmpty && visibilityText == nil && shortcut == nil && quote == nil {
            throw ValidationError("nothing to change: give --note, --tag, --visibility or --quote")
        }
        if quote?.isEmpty == true { throw ValidationError("the quote is empty") }
        if let occurrence, occurrence < 1 { throw ValidationError("--occurrence counts from 1") }
        if occurrence != nil && quote == nil { throw ValidationError("--occurrence needs --quote") }
        if visibilityText != nil && shortcut != nil {
            throw ValidationError("give only one of --visibility, --private and --shared")
        }
        if let visibilityText { _ = try VisibilityOption.parse(visibilityText) }
    }

    func run() throws {
        let visibility = try visibilityText.map(VisibilityOption.parse) ?? shortcut?.visibility
        try options.openReplica().edit(
            annotationID, note: note, tags: tags.isEmpty ? nil : tags, visibility: visibility, quote: quote,
            occurrence: occurrence)
    }
}
