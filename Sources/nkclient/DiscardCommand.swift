import ArgumentParser
import NKClient
import NKProtocol

/// `nkclient discard ID`.
struct DiscardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "discard",
        abstract: "Drop a change the server rejected (listed by nkclient rejected).",
        discussion: """
            Only the rejected change goes: whatever the server holds of the note or post stays. It says what \
            it dropped.
            """
    )

    @OptionGroup var options: HomeOptions

    @Argument(help: ArgumentHelp("The note's or post's id, or a unique prefix of it.", valueName: "ID"))
    var id: String

    func run() throws {
        let change = try options.openReplica().discard(id)
        var what = "discarded the rejected \(change.deleted ? "delete of" : "version of") \(change.type.rawValue) "
        what += Output.inline(change.id)
        if let note = change.note, !change.deleted { what += ": “\(Output.clip(note, 60))”" }
        if change.serverHasRecord {
            what += " (the server's version stays)"
        }
        Output.line(what)
    }
}
