import ArgumentParser
import Foundation
import NKClient
import NKProtocol

/// `nkclient log [--json] [--limit N]`.
struct LogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log",
        abstract: "Show what the last syncs brought in: who added, edited, deleted or resolved what.",
        discussion: """
            Newest first. Actions: added (first version this replica sees), edited, deleted, resolved (a \
            version that settled a conflict), conflict (a new concurrent version), hidden (you lost access).
            """
    )

    @OptionGroup var options: HomeOptions

    @Option(help: ArgumentHelp("At most this many entries (default 20).", valueName: "N"))
    var limit: Int = 20

    @Flag(
        help:
            "Print [{\"at\", \"syncId\", \"action\", \"type\", \"id\", \"postId\", \"title\", \"editor\", \"excerpt\"}]."
    )
    var json = false

    func validate() throws {
        if limit < 1 { throw ValidationError("--limit must be at least 1") }
    }

    func run() throws {
        let entries = try options.openReplica().syncLog(limit: limit)
        if json {
            try Output.json(entries)
            return
        }
        guard !entries.isEmpty else {
            Output.line("Nothing synced in yet.")
            return
        }
        for entry in entries { Output.line(Self.line(entry, time: Output.minute(entry.at))) }
    }

    /// `2026-11-29 10:02  bob edited note 3f2a1c9e on "Seafood ban…": Check the…`.
    static func line(_ entry: SyncLogEntry, time: String) -> String {
        let noun = entry.type == .post ? "post" : "note"
        let id = Output.inline(entry.type == .post ? entry.id : String(entry.id.prefix(8)))
        let title = entry.title.map { "\"\(Output.clip($0, 40))\"" }
        var line = "\(time)  "
        switch entry.action {
        case .hidden:
            line += "\(noun) \(id)"
            if entry.type == .annotation, let title { line += " on \(title)" }
            line += " hidden (you no longer have access)"
        case .conflict:
            line += "\(Output.inline(entry.editor ?? "someone")) wrote a conflicting version of \(noun) \(id)"
            if let title { line += entry.type == .annotation ? " on \(title)" : " \(title)" }
        default:
            let who = entry.editor.map(Output.inline) ?? (entry.type == .post ? "the server" : "someone")
            line += "\(who) \(entry.action.rawValue) \(noun) \(id)"
            if let title { line += entry.type == .annotation ? " on \(title)" : " \(title)" }
        }
        if let excerpt = entry.excerpt, !excerpt.isEmpty, entry.action != .hidden {
            line += ": \(Output.clip(excerpt, 50))"
        }
        return line
    }
}
