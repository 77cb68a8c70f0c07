import ArgumentParser
import Dispatch
import Foundation
import NKClient
import NKProtocol

/// `nkclient sync [--watch] [--json]`.
struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Push local changes to the server, then pull everyone else's.",
        discussion: """
            --watch syncs, then stays connected: it pulls as soon as the server has something new, pushes \
            what other nkclient commands change in this replica within a moment, and reconnects by itself \
            after a network drop or a server restart. It prints a line per sync that moved something (one \
            JSON object per line with --json) and stops cleanly on Ctrl-C or SIGTERM.
            """
    )

    @OptionGroup var options: HomeOptions

    @Flag(help: "Print {\"pushed\", \"pulled\", \"conflicts\", \"rejected\"} as JSON.")
    var json = false

    @Flag(help: "Stay connected and sync whenever something changes, here or on the server.")
    var watch = false

    func run() async throws {
        let replica = try options.openReplica()
        if watch {
            try await Self.watch(replica, json: json)
            return
        }
        var engine = SyncEngine(
            replica: replica, transport: CurlTransport(trusting: replica.config), retryPolicy: BusyServer.policy)
        let progress = TerminalProgress.make(json: json)
        engine.progress = progress
        engine.notice = { Output.notice($0) }
        defer { progress?.finish() }
        let summary = try await engine.run()
        progress?.finish()
        if json {
            try Output.json(summary)
            return
        }
        Output.line("pushed \(summary.pushed), pulled \(summary.pulled), conflicts \(summary.conflicts)")
        printRejections(summary)
    }

    private func printRejections(_ summary: SyncSummary) {
        for rejection in summary.rejections {
            Output.line("rejected " + Self.describe(rejection))
        }
    }

    /// `annotation ID: MESSAGE (CODE); kept here: FIX`, on one line: the server's message and code
    /// cut to one line and escaped, then what to do (``RejectedChange/fix(type:id:code:)``).
    static func describe(_ rejection: Rejection) -> String {
        let message = TerminalText.oneLine(rejection.message, maxLength: ServerAPI.maxServerTextLength)
        let code = TerminalText.oneLine(rejection.code.rawValue, maxLength: 64)
        let fix = RejectedChange.fix(type: rejection.type, id: rejection.id, code: rejection.code)
        return "\(rejection.type.rawValue) \(Output.inline(rejection.id)): \(message) (\(code)); kept here: \(fix)"
    }

    /// Runs the watcher until SIGINT or SIGTERM (exit 0) or a rejected token (an error).
    private static func watch(_ replica: Replica, json: Bool) async throws {
        let waitTransport = CurlTransport(
            configuration: CurlTransport.Configuration(requestTimeout: Wire.maxWaitSeconds + 30).trusting(
                replica.config))
        let watcher = SyncWatcher(
            replica: replica, syncTransport: CurlTransport(trusting: replica.config), waitTransport: waitTransport,
            retryPolicy: BusyServer.policy
        ) { event in
            report(event, json: json)
        }
        let task = Task { try await watcher.run() }
        let signals = DispatchQueue(label: "nkclient.signals")
        let sources = [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: signals)
            source.setEventHandler { task.cancel() }
            source.resume()
            return source
        }
        defer { sources.forEach { $0.cancel() } }
        try await task.value
    }

    /// One line per sync that moved something; connection changes and failures on stderr.
    private static func report(_ event: WatchEvent, json: Bool) {
        switch event {
        case .synced(let summary):
            guard summary.pushed > 0 || summary.pulled > 0 || !summary.rejections.isEmpty else { return }
            if json {
                let line = WatchLine(at: Date(), summary: summary)
                if let data = try? Wire.makeEncoder().encode(line) {
                    Output.jsonText(String(decoding: data, as: UTF8.self))
                }
                return
            }
            let time = WatchLine.timeFormatter.string(from: Date())
            var text = "\(time)  pushed \(summary.pushed), pulled \(summary.pulled), conflicts \(summary.conflicts)"
            for rejection in summary.rejections {
                text += "\n  rejected " + describe(rejection)
            }
            Output.line(text)
        case .watching(let server):
            Output.notice("watching \(server) for changes (Ctrl-C stops)")
        case .lost(let server, let reason, let retryIn):
            Output.notice("lost the server at \(server) (\(reason)); retrying in \(BusyServer.seconds(retryIn))s")
        case .reconnected(let server):
            Output.notice("reconnected to \(server)")
        case .syncFailed(let error):
            Output.error(error.message)
        case .notice(let line):
            Output.notice(line)
        }
    }
}

/// One line of `sync --watch --json`.
private struct WatchLine: Encodable {
    var at: Date
    var pushed: Int
    var pulled: Int
    var conflicts: Int
    var rejected: Int

    init(at: Date, summary: SyncSummary) {
        self.at = at
        pushed = summary.pushed
        pulled = summary.pulled
        conflicts = summary.conflicts
        rejected = summary.rejections.count
    }

    static let timeFormatter: DateFormatter = {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "HH:mm:ss"
        return formatter
    }()
}
