import ArgumentParser
import NKClient
import NKProtocol

/// `nkclient posts [--json]`.
struct PostsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "posts",
        abstract: "List the posts in the replica."
    )

    @OptionGroup var options: HomeOptions

    @Flag(help: "Print [{\"id\", \"title\", \"source\", \"category\"}] as JSON.")
    var json = false

    func run() throws {
        let posts = try options.openReplica().posts()
        if json {
            try Output.json(posts)
            return
        }
        guard !posts.isEmpty else {
            Output.line("No posts yet; run nkclient sync.")
            return
        }
        let sourceWidth = min(20, max(6, posts.map { ($0.source ?? "").count }.max() ?? 0))
        Output.line("\(Output.pad("ID", 16))  \(Output.pad("SOURCE", sourceWidth))  TITLE")
        for post in posts {
            let source = Output.pad(Output.clip(post.source ?? "-", sourceWidth), sourceWidth)
            Output.line("\(Output.pad(Output.inline(post.id.rawValue), 16))  \(source)  \(Output.clip(post.title, 60))")
        }
    }
}
