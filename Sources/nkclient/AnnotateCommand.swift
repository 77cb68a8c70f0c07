import ArgumentParser
import NKClient
import NKProtocol

/// `nkclient annotate POST_ID [--quote TEXT [--occurrence N]] [--note TEXT] [--tag TAG]... [--private | --group NAME]`.
struct AnnotateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "annotate",
        abstract: "Annotate a passage of a post, or the whole post; prints the new annotation's id.",
        discussion:
            """
            With --quote the note is on that passage: the quote matches as typed, whatever its case, quote \
            marks, dashes or spaces, and the note keeps the post's own characters. Without --quote it is a \
            note on the whole post.
            """
    )

    @OptionGroup var options: HomeOptions

    @Argument(help: ArgumentHelp("The post's id, or a unique prefix of it.", valueName: "POST_ID"))
    var postID: String

    @Option(help: ArgumentHelp("The passage to annotate (leave out for a note on the whole post).", valueName: "TEXT"))
    var quote: String?

    @Option(help: ArgumentHelp("Which occurrence of the quote, from 1, when it occurs more than once.", valueName: "N"))
    var occurrence: Int?

    @Option(help: ArgumentHelp("The note.", valueName: "TEXT"))
    var note: String = ""

    @Option(name: .customLong("tag"), help: ArgumentHelp("A tag (repeat for more).", valueName: "TAG"))
    var tags: [String] = []

    @Flag(name: .customLong("private"), help: "Only you will see this note.")
    var isPrivate = false

    @Option(
        help: ArgumentHelp("Only the members of this research group (and you) will see this note.", valueName: "NAME"))
    var group: String?

    func validate() throws {
        if let occurrence, occurrence < 1 { throw ValidationError("--occurrence counts from 1") }
        if quote?.isEmpty == true { throw ValidationError("the quote is empty") }
        if quote == nil {
            if occurrence != nil { throw ValidationError("--occurrence needs --quote") }
            if note.allSatisfy(\.isWhitespace) && tags.isEmpty {
                throw ValidationError(
                    "a note on the whole post needs --note or --tag (or give --quote to mark a passage)")
            }
        }
        if let group {
            if isPrivate { throw ValidationError("give only one of --private and --group") }
            guard Visibility.isGroupName(group) else { throw ValidationError(VisibilityOption.groupNameRule(group)) }
        }
    }

    var visibility: Visibility {
        if let group { return .group(group) }
        return isPrivate ? .private : .shared
    }

    func run() throws {
        let id = try options.openReplica().annotate(
            post: postID, quote: quote, occurrence: occurrence, note: note, tags: tags, visibility: visibility)
        Output.line(Output.inline(id.rawValue))
    }
}
