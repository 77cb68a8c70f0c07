import ArgumentParser
import NKClient
import NKProtocol

/// `nkclient restore ID [--version N]`.
struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Bring back a deleted note, or an earlier version of a note or post.",
        discussion: """
            Writes a new version with that content, which syncs like an edit; nothing is overwritten. \
            Without --version, brings back a deleted note as it was (only its author may). Versions are \
            numbered as nkclient history lists them.
            """
    )

    @OptionGroup var options: HomeOptions

    @Argument(help: ArgumentHelp("The note's or post's id, or a unique prefix of it.", valueName: "ID"))
    var id: String

    @Option(help: ArgumentHelp("The version to bring back, as nkclient history numbers it.", valueName: "N"))
    var version: Int?

    func validate() throws {
        if let version, version < 1 { throw ValidationError("--version counts from 1, as nkclient history does") }
    }

    func run() async throws {
        let replica = try options.openReplica()
        let record: RecordRef
        let what: String
        if let version {
            let history = try await HistoryCommand.load(replica, id)
            record = history.record
            guard history.versions.indices.contains(version - 1) else {
                throw ClientError(
                    .invalidInput,
                    "\(record.id) has versions 1 to \(history.versions.count); see nkclient history \(record.id)")
            }
            try replica.restore(record, from: history.versions[version - 1])
            what = "version \(version) of \(record.type == .post ? "post" : "note")"
        } else {
            record = try replica.recordRef(id)
            try replica.restore(record, from: nil)
            what = "deleted note"
        }
        Output.line("restored \(what) \(Output.inline(record.id)) (pending; nkclient sync shares it)")
    }
}
