import ArgumentParser
import NKClient
import NKProtocol

/// `nkclient read POST_ID [--json]`.
struct ReadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "read",
        abstract: "Show a post with its annotated passages marked, then its notes."
    )

    @OptionGroup var options: HomeOptions

    @Argument(help: ArgumentHelp("The post's id, or a unique prefix of it.", valueName: "POST_ID"))
    var postID: String

    @Flag(
        help:
            "Print {\"post\", \"notes\", \"conflict\"} as JSON (conflict: {\"versions\", \"shown\"}, only when in conflict)."
    )
    var json = false

    func run() throws {
        let detail = try options.openReplica().post(postID)
        if json {
            try Output.json(detail)
            return
        }
        if let conflict = detail.conflict {
            Output.line(
                "This post is in conflict: \(conflict.versions) versions; showing version \(conflict.shown). "
                    + "See nkclient conflicts; settle with nkclient resolve \(detail.post.id.rawValue).")
        }
        // The renderer escapes every field itself; with colour its own ANSI escapes must go out as they are.
        let colour = Output.stdoutIsTerminal
        let page = PostRenderer(width: 78, colour: colour).render(detail)
        if colour { Output.styled(page) } else { Output.line(page) }
    }
}
