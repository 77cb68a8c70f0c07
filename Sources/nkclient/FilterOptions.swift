import ArgumentParser
import NKClient

/// `--tag TAG --author NAME --source NAME`, shared by `notes` and `search`.
struct FilterOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Only notes with this tag (and, in search, posts that carry one).", valueName: "TAG"))
    var tag: String?

    @Option(
        help: ArgumentHelp("Only notes by this researcher (in search, also posts with this byline).", valueName: "NAME")
    )
    var author: String?

    @Option(
        help: ArgumentHelp("Only posts from this source, and notes on them (Reuters, AFP).", valueName: "NAME"))
    var source: String?

    var noteFilter: NoteFilter { NoteFilter(tag: tag, author: author, source: source) }
}
