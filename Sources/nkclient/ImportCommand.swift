import ArgumentParser
import NKClient
import NKProtocol

/// `nkclient import FILE... [--json]`.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import corpus files offline; the posts sync like any edit.",
        discussion: """
            Every file is parsed before anything is written: a file that is not in the blog-dump format \
            gets an error naming its line, and nothing is imported. Importing the same file twice changes \
            nothing; a corrected file records a new version of the changed posts.
            """
    )

    @OptionGroup var options: HomeOptions

    @Argument(help: ArgumentHelp("Corpus files in the blog-dump format.", valueName: "FILE"))
    var files: [String] = []

    @Flag(help: "Print {\"posts\", \"new\", \"updated\", \"unchanged\"} as JSON.")
    var json = false

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("name at least one corpus file to import") }
    }

    func run() throws {
        let replica = try options.openReplica()
        let posts = try CorpusFiles.load(paths: files)
        let progress = TerminalProgress.make(json: json)
        defer { progress?.finish() }
        let summary = try replica.importPosts(posts, progress: progress)
        progress?.finish()
        if json {
            try Output.json(summary)
        } else {
            Output.line(summary.description)
        }
    }
}
