import ArgumentParser
import NKProtocol

/// The `nkclient` root command.
struct NKClientCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nkclient",
        abstract: "Annotate news posts offline and sync the notes with an NK Sync server.",
        version: "nkclient \(Release.version) (NK Sync protocol \(Wire.protocolVersion))",
        subcommands: [
            InitCommand.self, LoginCommand.self, SyncCommand.self, StatusCommand.self, PostsCommand.self,
            ReadCommand.self, AnnotateCommand.self, ReplyCommand.self, EditCommand.self, DeleteCommand.self,
            NotesCommand.self,
            ConflictsCommand.self, ResolveCommand.self, ImportCommand.self, PostCommand.self, SearchCommand.self,
            ExportCommand.self, LogCommand.self, NewReplicaCommand.self, HistoryCommand.self, RestoreCommand.self,
            TrashCommand.self, RejectedCommand.self, DiscardCommand.self, TagsCommand.self, TagCommand.self,
        ]
    )
}
