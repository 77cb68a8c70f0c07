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
            "Print [{\"id\", \"postId\", \"author\", \"visibility\", \"quote\", \"note\", \"tags\", \"version\", \"conflict\", \"anchor\", \"editor\", \"created\", \"modified\", \"rejected\"}]."
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
            let head = [
                String(note.id.rawValue.prefix(8)), note.postId.rawValue, note.author, note.visibility.rawValue,
            ]
            var line = head.map(Output.inline).joined(separator: "  ")
            if !note.tags.isEmpty { line += "  [" + note.tags.map(Output.inline).joined(separator: ", ") + "]" }
            if let editor = note.editedByOther { line += "  edited by \(Output.inline(editor))" }
            if note.conflict { line += "  CONFLICT" }
            if note.rejected != nil { line += "  REJECTED" }
            if note.anchorStatus != .exact { line += "  (\(note.anchorStatus.rawValue))" }
            Output.line(line)
            Output.line("    “\(Output.clip(note.quote, 70))”")
            switch note.anchorStatus {
            case .exact: break
            case .moved: Output.line("    (moved: the post was corrected; the passage now stands elsewhere)")
            case .fuzzy: Output.line("    (fuzzy: the passage now reads “\(Output.clip(note.placement.exact, 50))”)")
            case .orphaned: Output.line("    (orphaned: passage no longer in the post)")
            }
            if !note.note.isEmpty { Output.line("    \(Output.clip(note.note, 74))") }
            if let rejected = note.rejected {
                for remark in RejectedRemark.lines(rejected) { Output.line("    " + remark) }
            }
        }
    }
}
