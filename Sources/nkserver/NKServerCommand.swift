import ArgumentParser
import Logging
import NKProtocol
import NKServer

/// `nkserver`: the NK Sync server and its admin commands.
@main
struct NKServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nkserver",
        abstract:
            "The NK Sync server: serve the sync API, manage users, groups and tokens, import the corpus, back up.",
        version: "nkserver \(Release.version) (NK Sync protocol \(Wire.protocolVersion))",
        subcommands: [
            Serve.self, User.self, Group.self, TokenCommand.self, Import.self, Migrate.self, Backup.self, Restore.self,
        ]
    )

    /// Runs the command; every failure becomes one `error: ` line on stderr and an exit code.
    static func main() async {
        LoggingSystem.bootstrap(LogFormat.handler)
        do {
            var command = try await asyncParseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            Failure.exit(with: error)
        }
    }
}
