import ArgumentParser
import Foundation
import NKClient
import NKProtocol

/// `nkclient export --format markdown|w3c [--post ID] [--tag T] [--visibility V] [--author NAME] [--since DATE]
/// [--output FILE]`.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export notes as Markdown (for a paper) or W3C Web Annotation JSON-LD.",
        discussion: """
            Notes are re-anchored in the posts' current text first: moved and fuzzy passages are quoted \
            as they now read; orphaned ones keep their quote (Markdown says so; W3C keeps only the quote \
            selector). Each note says who may see it (shared, group NAME, private) and who wrote it; a note \
            in conflict is exported with all its versions, marked. --since takes a date (2026-12-01) or a \
            time (2026-12-01T10:00:00Z) and keeps notes modified then or later. --output writes the file \
            atomically.
            """
    )

    @OptionGroup var options: HomeOptions

    @Option(help: ArgumentHelp("markdown or w3c.", valueName: "FORMAT"))
    var format: String

    @Option(help: ArgumentHelp("Only the notes of this post (id or unique prefix).", valueName: "ID"))
    var post: String?

    @Option(help: ArgumentHelp("Only notes with this tag.", valueName: "T"))
    var tag: String?

    @Option(help: ArgumentHelp("Only notes seen by: shared, private or group:NAME.", valueName: "V"))
    var visibility: String?

    @Option(help: ArgumentHelp("Only notes by this author.", valueName: "NAME"))
    var author: String?

    @Option(help: ArgumentHelp("Only notes modified at or after this date or time (UTC).", valueName: "DATE"))
    var since: String?

    @Option(help: ArgumentHelp("Write to this file (atomically) instead of stdout.", valueName: "FILE"))
    var output: String?

    func validate() throws {
        guard ExportFormat(rawValue: format.lowercased()) != nil else {
            let choices = ExportFormat.allCases.map(\.rawValue).joined(separator: ", ")
            throw ValidationError("unknown --format '\(format)'; choose one of: \(choices)")
        }
        if let output, output.isEmpty { throw ValidationError("--output needs a file name") }
        if let visibility { _ = try VisibilityOption.parse(visibility) }
        if let since, Self.date(since) == nil {
            throw ValidationError("--since takes a date (2026-12-01) or a time (2026-12-01T10:00:00Z), not '\(since)'")
        }
    }

    /// A day (midnight UTC) or an ISO 8601 time.
    static func date(_ text: String) -> Date? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let day = ISO8601DateFormatter()
        day.formatOptions = [.withFullDate]
        if trimmed.count == 10, let date = day.date(from: trimmed) { return date }
        let time = ISO8601DateFormatter()
        if let date = time.date(from: trimmed) { return date }
        time.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return time.date(from: trimmed)
    }

    func run() throws {
        let kind = ExportFormat(rawValue: format.lowercased()) ?? .markdown
        let filter = ExportFilter(
            post: post, tag: tag, visibility: try visibility.map(VisibilityOption.parse), author: author,
            since: since.flatMap(Self.date))
        var data = try options.openReplica().export(kind, filter: filter)
        if data.last != 0x0A { data.append(0x0A) }
        if let output {
            try AtomicFile.write(data, to: output)
            Output.line("wrote \(output)")
        } else if kind == .markdown {
            // A document for reading: on stdout it is terminal output like any other (a file keeps
            // the text exactly).
            Output.line(String(decoding: data.dropLast(), as: UTF8.self))
        } else {
            Output.jsonText(String(decoding: data, as: UTF8.self))
        }
    }
}
