import ArgumentParser
import NKClient

/// `nkclient sync [--json]`.
struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Push local changes to the server, then pull everyone else's."
    )

    @OptionGroup var options: HomeOptions

    @Flag(help: "Print {\"pushed\", \"pulled\", \"conflicts\", \"rejected\"} as JSON.")
    var json = false

    func run() async throws {
        let replica = try options.openReplica()
        var engine = SyncEngine(replica: replica, transport: CurlTransport())
        let progress = TerminalProgress.make(json: json)
        engine.progress = progress
        defer { progress?.finish() }
        let summary = try await engine.run()
        progress?.finish()
        if json {
            try Output.json(summary)
            return
        }
        print("pushed \(summary.pushed), pulled \(summary.pulled), conflicts \(summary.conflicts)")
        if !summary.rejections.isEmpty {
            print("rejected \(summary.rejections.count) (kept in the replica's rejected table):")
            for rejection in summary.rejections {
                print("  \(rejection.type.rawValue) \(rejection.id): \(rejection.message) (\(rejection.code))")
            }
        }
    }
}
