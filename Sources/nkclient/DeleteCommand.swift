import ArgumentParser
import NKClient

/// `nkclient delete ANN_ID`.
struct DeleteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Delete one of your annotations (synced as a tombstone)."
    )

    @OptionGroup var options: HomeOptions

    @Argument(help: ArgumentHelp("The annotation's id, or a unique prefix of it.", valueName: "ANN_ID"))
    var annotationID: String

    func run() throws {
        try options.openReplica().delete(annotationID)
    }
}
