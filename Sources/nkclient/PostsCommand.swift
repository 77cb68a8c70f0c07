import ArgumentParser
import NKClient
import NKProtocol

/// `nkclient posts [--category NAME] [--source NAME] [--annotated] [--json]`.
struct PostsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "posts",
        abstract: "List the posts in the replica, in corpus order.",
        discussion: """
            Posts are listed in the order of the corpus files, by date where the dump dates them (oldest \
            first; an undated post stays after the dated post before it).
            """
    )

    @OptionGroup var options: HomeOptions

    @Option(help: ArgumentHelp("Only posts of this category (in any case).", valueName: "NAME"))
    var category: String?

    @Option(help: ArgumentHelp("Only posts from this source (in any case).", valueName: "NAME"))
    var source: String?

    @Flag(help: "Only posts that carry at least one note.")
    var annotated = false

    @Flag(help: "Print [{\"id\", \"title\", \"source\", \"category\", \"date\"}] as JSON.")
    var json = false

    func run() throws {
        let filter = PostFilter(category: category, source: source, annotated: annotated)
        let posts = try options.openReplica().posts(filter)
        if json {
            try Output.json(posts)
            return
        }
        guard !posts.isEmpty else {
            let filtered = category != nil || source != nil || annotated
            Output.line(filtered ? "No posts match." : "No posts yet; run nkclient sync.")
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
