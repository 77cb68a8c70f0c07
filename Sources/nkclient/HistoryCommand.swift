import ArgumentParser
import Foundation
import NKClient
import NKProtocol

/// `nkclient history ID [--json]`.
struct HistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "List every version of a note or post, newest first, with who, when and what changed.",
        discussion: """
            Works offline with the versions this replica has held; asks the server for the rest when it \
            can be reached. Versions are numbered from 1, oldest first: nkclient restore ID --version N \
            brings one back.
            """
    )

    @OptionGroup var options: HomeOptions

    @Argument(help: ArgumentHelp("The note's or post's id, or a unique prefix of it.", valueName: "ID"))
    var id: String

    @Flag(
        help: """
            Print [{"number", "current", "editor", "time", "version", "deleted", "record"}], newest first.
            """)
    var json = false

    func run() async throws {
        let replica = try options.openReplica()
        let history = try await Self.load(replica, id)
        let numbered = Array(
            history.versions.enumerated().map { (number: $0.offset + 1, entry: $0.element) }.reversed())
        if json {
            try Output.json(numbered.map { HistoryLine(number: $0.number, entry: $0.entry) })
            return
        }
        let noun = history.record.type == .post ? "post" : "note"
        let count = history.versions.count
        var heading =
            "\(noun) \(Output.inline(history.record.id)): \(count) version\(count == 1 ? "" : "s"), newest first"
        if !history.includesServer { heading += " (offline: the versions this replica has held)" }
        Output.line(heading)
        for (number, entry) in numbered {
            Output.line(Self.headline(number, entry))
            for line in Self.changes(of: entry, in: history.versions) { Output.line("      " + line) }
        }
    }

    /// The record's history, with the server's versions when it can be reached.
    static func load(_ replica: Replica, _ idOrPrefix: String) async throws -> RecordHistory {
        let record = try replica.recordRef(idOrPrefix)
        let api = ServerAPI(
            server: replica.config.server, token: replica.config.token,
            transport: CurlTransport(trusting: replica.config),
            retryPolicy: BusyServer.policy)
        var fromServer: [HistoryEntry]?
        do {
            fromServer = try await api.history(type: record.type, id: record.id) ?? []
        } catch {
            guard error.code == .unreachable else { throw error }
        }
        return try replica.history(record, fromServer: fromServer)
    }

    /// `[3] 2026-12-07 18:40 carol  a:2,b:1  current`.
    static func headline(_ number: Int, _ entry: HistoryEntry) -> String {
        // Local versions carry their editor; only the server's import writes none.
        var line = "  [\(number)] \(time(entry.time)) \(Output.inline(entry.record.editor ?? "import"))"
        line += "  \(Output.vector(entry.record.version))"
        if entry.record.deleted { line += "  DELETED" }
        if entry.current { line += "  current" }
        return line
    }

    static func time(_ date: Date?) -> String {
        date.map(Output.minute) ?? "----------------"
    }

    /// What this version changed from the one it was made from (the first of its parents); a
    /// merge names its parents.
    static func changes(of entry: HistoryEntry, in all: [HistoryEntry]) -> [String] {
        let parents = HistoryEntry.parents(of: entry, in: all)
        var lines: [String] = []
        if parents.count > 1 {
            let numbers = parents.compactMap { parent in all.firstIndex(of: parent).map { "[\($0 + 1)]" } }
            lines.append("merges \(numbers.joined(separator: " and "))")
        }
        guard let parent = parents.first else {
            lines.append("first version")
            return lines
        }
        switch (parent.record.body, entry.record.body) {
        case (.annotation(let old), .annotation(let new)):
            let diff = WordDiff(from: old.note, to: new.note)
            if !diff.isEmpty { lines.append("note: " + Output.inline(diff.plain(context: 4))) }
            let added = Set(new.tags).subtracting(old.tags).sorted()
            let removed = Set(old.tags).subtracting(new.tags).sorted()
            if !added.isEmpty || !removed.isEmpty {
                lines.append(
                    "tags: "
                        + (removed.map { "-" + Output.inline($0) } + added.map { "+" + Output.inline($0) })
                        .joined(separator: " "))
            }
            if old.visibility != new.visibility {
                lines.append(
                    "visibility: \(Output.inline(old.visibility.rawValue)) → \(Output.inline(new.visibility.rawValue))")
            }
            if old.anchor?.exact != new.anchor?.exact || old.anchor?.start != new.anchor?.start {
                let place = { (anchor: Anchor?) in
                    anchor.map { "“" + Output.inline(Output.clip($0.exact, 40)) + "”" } ?? "the whole post"
                }
                lines.append("passage: \(place(old.anchor)) → \(place(new.anchor))")
            }
        case (.post(let old), .post(let new)):
            if old.title != new.title {
                lines.append("title: " + Output.inline(WordDiff(from: old.title, to: new.title).plain()))
            }
            let diff = WordDiff(from: old.text, to: new.text)
            if !diff.isEmpty { lines.append("text: " + Output.inline(diff.plain(context: 4))) }
        default:
            break
        }
        if parent.record.deleted != entry.record.deleted {
            lines.append(entry.record.deleted ? "deleted" : "restored")
        }
        if lines.isEmpty { lines.append("no change of content") }
        return lines
    }
}

/// One version in `history --json`.
struct HistoryLine: Encodable {
    var number: Int
    var current: Bool
    var editor: String?
    var time: Date?
    var version: VersionVector
    var deleted: Bool
    var record: RecordVersion

    init(number: Int, entry: HistoryEntry) {
        self.number = number
        current = entry.current
        editor = entry.record.editor
        time = entry.time
        version = entry.record.version
        deleted = entry.record.deleted
        record = entry.record
    }
}
