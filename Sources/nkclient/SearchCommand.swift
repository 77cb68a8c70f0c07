import ArgumentParser
import Foundation
import NKClient
import NKProtocol

/// `nkclient search QUERY [--json] [--tag TAG] [--author NAME] [--source NAME] [--limit N]`.
struct SearchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Search posts and notes offline (SQLite full-text search), best matches first.",
        discussion: """
            QUERY is an FTS5 query: words (all must occur), "a phrase", prefix*, OR, NOT and parentheses. \
            Filters apply to what each hit is: a note by its tags, author and its post's source; a post by \
            its source, its byline, and (--tag) whether it carries a note with that tag.
            """
    )

    @OptionGroup var options: HomeOptions

    @Argument(help: ArgumentHelp("What to look for.", valueName: "QUERY"))
    var query: String

    @OptionGroup var filter: FilterOptions

    @Option(help: ArgumentHelp("At most this many hits (default 20).", valueName: "N"))
    var limit: Int = 20

    @Flag(help: "Print [{\"kind\", \"id\", \"postId\", \"title\", \"snippet\", \"rank\"}] (notes add author, tags).")
    var json = false

    func validate() throws {
        if limit < 1 { throw ValidationError("--limit must be at least 1") }
        if query.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw ValidationError("the search query is empty")
        }
    }

    func run() throws {
        let hits = try options.openReplica().search(query, filter: filter.noteFilter, limit: limit)
        if json {
            try Output.json(hits)
            return
        }
        guard !hits.isEmpty else {
            Output.line("No matches.")
            return
        }
        let colour = Output.stdoutIsTerminal
        for hit in hits {
            switch hit.kind {
            case .post:
                Output.line("post  \(Output.inline(hit.id))  \(Output.clip(hit.title, 60))")
            case .note:
                var line = "note  \(Output.inline(String(hit.id.prefix(8))))  \(Output.inline(hit.author ?? ""))"
                if let tags = hit.tags, !tags.isEmpty {
                    line += "  [" + tags.map(Output.inline).joined(separator: ", ") + "]"
                }
                line += "  on \(Output.inline(hit.postId.rawValue)): \(Output.clip(hit.title, 40))"
                if hit.rejected { line += "  REJECTED (nkclient rejected)" }
                Output.line(line)
            }
            // Escaped piece by piece; with colour the bold escapes must go out as they are.
            if colour {
                Output.styled("    " + hit.displaySnippet(open: "\u{1B}[1m", close: "\u{1B}[0m"))
            } else {
                Output.line("    " + hit.displaySnippet(open: "[", close: "]"))
            }
        }
    }
}
