import ArgumentParser
import NKClient
import NKProtocol

/// `nkclient reply ANN_ID --note TEXT [--tag TAG]...`.
struct ReplyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reply",
        abstract: "Reply to an annotation; prints the reply's id.",
        discussion:
            """
            A reply has the visibility of the note it answers: a group note's replies stay in the group, and \
            only the author of a private note can reply to it. Replies sync, conflict and are deleted like \
            every note; `read` and `notes` show each thread under its note.
            """
    )

    @OptionGroup var options: HomeOptions

    @Argument(
        help: ArgumentHelp("The id of the note (or reply) answered, or a unique prefix of it.", valueName: "ANN_ID"))
    var annotationID: String

    @Option(help: ArgumentHelp("The reply.", valueName: "TEXT"))
    var note: String

    @Option(name: .customLong("tag"), help: ArgumentHelp("A tag (repeat for more).", valueName: "TAG"))
    var tags: [String] = []

    func validate() throws {
        if note.allSatisfy(\.isWhitespace) { throw ValidationError("the reply is empty: give --note TEXT") }
    }

    func run() throws {
        let id = try options.openReplica().reply(to: annotationID, note: note, tags: tags)
        Output.line(Output.inline(id.rawValue))
    }
}
