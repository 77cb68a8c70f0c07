import ArgumentParser
import NKClient
import NKProtocol

/// `nkclient notes [--post POST_ID] [--tag TAG] [--author NAME] [--source NAME] [--json]`.
struct NotesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notes",
        abstract: "List annotations (not deleted ones), of every post or of one."
    )

    @OptionGroup var options: HomeOptions

    @Option(help: ArgumentHelp("Only the notes of this post (id or unique prefix).", valueName: "POST_ID"))
    var post: String?

    @OptionGroup var filter: FilterOptions

    @Flag(
        help:
            "Print [{\"id\", \"postId\", \"author\", \"visibility\", \"target\", \"replyTo\", \"depth\", \"parentDeleted\", \"quote\", \"note\", \"tags\", \"version\", \"conflict\", \"anchor\", \"editor\", \"created\", \"modified\", \"rejected\"}]."
    )
    var json = false

    func run() throws {
        let notes = try options.openReplica().notes(post: post, filter: filter.noteFilter)
        if json {
            try Output.json(notes)
            return
        }
        guard !notes.isEmpty else {
            Output.line("No notes.")
            return
        }
        for note in notes {
            let indent = String(repeating: "    ", count: min(note.depth, 4))
            let head = [
                String(note.id.rawValue.prefix(8)), note.postId.rawValue, note.author, note.visibility.rawValue,
            ]
            var line = head.map(Output.inline).joined(separator: "  ")
            if !note.tags.isEmpty { line += "  [" + note.tags.map(Output.inline).joined(separator: ", ") + "]" }
            if let editor = note.editedByOther { line += "  edited by \(Output.inline(editor))" }
            if note.conflict { line += "  CONFLICT" }
            if note.rejected != nil { line += "  REJECTED" }
            if note.anchorStatus != .exact { line += "  (\(note.anchorStatus.rawValue))" }
            Output.line(indent + line)
            if let quote = note.quote {
                Output.line(indent + "    “\(Output.clip(quote, 70))”")
            } else if let remark = note.targetRemark {
                Output.line(indent + "    " + remark)
            }
            switch note.anchorStatus {
            case .exact: break
            case .moved: Output.line(indent + "    (moved: the post was corrected; the passage now stands elsewhere)")
            case .fuzzy:
                let now = note.placement.map { Output.clip($0.exact, 50) } ?? ""
                Output.line(indent + "    (fuzzy: the passage now reads “\(now)”)")
            case .orphaned: Output.line(indent + "    (orphaned: passage no longer in the post)")
            }
            if !note.note.isEmpty { Output.line(indent + "    \(Output.clip(note.note, 74))") }
            if let rejected = note.rejected {
                for remark in RejectedRemark.lines(rejected) { Output.line(indent + "    " + remark) }
            }
        }
    }
}
