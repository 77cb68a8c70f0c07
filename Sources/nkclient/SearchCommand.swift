import ArgumentParser
import Foundation
import NKClient
import NKProtocol

/// `nkclient search QUERY [--json] [--tag TAG] [--author NAME] [--source NAME] [--since DAY] [--until DAY]
/// [--group NAME | --visibility V] [--sort rank|date] [--limit N]`.
struct SearchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Search posts and notes offline (SQLite full-text search), best matches first.",
        discussion: """
            QUERY is words (all must occur, in any form: sanction finds sanctions), "a phrase", prefix*, \
            OR and NOT between words. Case, accents, curly quotes, hyphens in names (Kim Jong-un, Kim Jong \
            Un, Kim Jongun) and dotted acronyms (D.P.R.K., DPRK) do not matter; any other punctuation is a \
            word break. Filters apply to what each hit is: a note by its tags, author, visibility, its \
            post's source and the day it was written; a post by its source, its byline and its day, and \
            (--tag, --group, --visibility) whether it carries such a note.
            """
    )

    @OptionGroup var options: HomeOptions

    @Argument(help: ArgumentHelp("What to look for.", valueName: "QUERY"))
    var query: String

    @OptionGroup var filter: FilterOptions

    @Option(help: ArgumentHelp("Only hits dated on or after this day (YYYY-MM-DD).", valueName: "DAY"))
    var since: String?

    @Option(help: ArgumentHelp("Only hits dated on or before this day (YYYY-MM-DD).", valueName: "DAY"))
    var until: String?

    @Option(help: ArgumentHelp("Only notes of this group (and posts that carry one).", valueName: "NAME"))
    var group: String?

    @Option(
        help: ArgumentHelp(
            "Only notes with this visibility: shared, private or group:NAME (and posts that carry one).",
            valueName: "V"))
    var visibility: String?

    @Option(help: ArgumentHelp("rank (best first, the default) or date (newest first).", valueName: "ORDER"))
    var sort: String = "rank"

    @Option(help: ArgumentHelp("At most this many hits (default 20).", valueName: "N"))
    var limit: Int = 20

    @Flag(help: "Print [{\"kind\", \"id\", \"postId\", \"title\", \"snippet\", \"rank\"}] (notes add author, tags).")
    var json = false

    func validate() throws {
        if limit < 1 { throw ValidationError("--limit must be at least 1") }
        if query.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw ValidationError("the search query is empty")
        }
        _ = try scope()
    }

    /// The scope the options name; a bad date, visibility or order is a `ValidationError`.
    func scope() throws -> SearchScope {
        func day(_ text: String?, _ option: String) throws -> Date? {
            guard let text else { return nil }
            guard let day = Post.day(from: text) else {
                throw ValidationError("\(option) must be a day, as 2024-05-02 (got '\(Output.inline(text))')")
            }
            return day
        }
        if group != nil && visibility != nil { throw ValidationError("give --group or --visibility, not both") }
        var visible: Visibility?
        if let group {
            guard Visibility.isGroupName(group) else {
                throw ValidationError("--group: " + VisibilityOption.groupNameRule(Output.inline(group)))
            }
            visible = .group(group)
        } else if let visibility {
            visible = try VisibilityOption.parse(visibility)
        }
        guard let order = SearchScope.Order(rawValue: sort) else {
            throw ValidationError("--sort must be rank or date (got '\(Output.inline(sort))')")
        }
        let scope = SearchScope(
            since: try day(since, "--since"), until: try day(until, "--until"), visibility: visible, order: order)
        if let since = scope.since, let until = scope.until, since > until {
            throw ValidationError("--since is after --until")
        }
        return scope
    }

    func run() throws {
        let hits = try options.openReplica().search(query, filter: filter.noteFilter, scope: scope(), limit: limit)
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
