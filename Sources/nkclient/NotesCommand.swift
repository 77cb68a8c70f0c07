import ArgumentParser
import NKClient

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
            "Print [{\"id\", \"postId\", \"author\", \"visibility\", \"quote\", \"note\", \"tags\", \"version\", \"conflict\", \"anchor\"}]."
    )
    var json = false

    func run() throws {
        let notes = try options.openReplica().notes(post: post, filter: filter.noteFilter)
        if json {
            try Output.json(notes)
            return
        }
        guard !notes.isEmpty else {
            print("No notes.")
            return
        }
        for note in notes {
            var line = "\(note.id.rawValue.prefix(8))  \(note.postId)  \(note.author)  \(note.visibility.rawValue)"
            if !note.tags.isEmpty { line += "  [" + note.tags.joined(separator: ", ") + "]" }
            if note.conflict { line += "  CONFLICT" }
            if note.anchorStatus != .exact { line += "  (\(note.anchorStatus.rawValue))" }
            print(line)
            print("    “\(Output.clip(note.quote, 70))”")
            switch note.anchorStatus {
            case .exact: break
            case .moved: print("    (moved: the post was corrected; the passage now stands elsewhere)")
            case .fuzzy: print("    (fuzzy: the passage now reads “\(Output.clip(note.placement.exact, 50))”)")
            case .orphaned: print("    (orphaned: passage no longer in the post)")
            }
            if !note.note.isEmpty { print("    \(Output.clip(note.note, 74))") }
        }
    }
}
