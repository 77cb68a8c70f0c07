import ArgumentParser
import Foundation
import NKClient

/// `nkclient export --format markdown|w3c [--post ID] [--tag T] [--output FILE]`.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export notes as Markdown (for a paper) or W3C Web Annotation JSON-LD.",
        discussion: """
            Notes are re-anchored in the posts' current text first: moved and fuzzy passages are quoted \
            as they now read; orphaned ones keep their quote (Markdown says so; W3C keeps only the quote \
            selector). --output writes the file atomically.
            """
    )

    @OptionGroup var options: HomeOptions

    @Option(help: ArgumentHelp("markdown or w3c.", valueName: "FORMAT"))
    var format: String

    @Option(help: ArgumentHelp("Only the notes of this post (id or unique prefix).", valueName: "ID"))
    var post: String?

    @Option(help: ArgumentHelp("Only notes with this tag.", valueName: "T"))
    var tag: String?

    @Option(help: ArgumentHelp("Write to this file (atomically) instead of stdout.", valueName: "FILE"))
    var output: String?

    func validate() throws {
        guard ExportFormat(rawValue: format.lowercased()) != nil else {
            let choices = ExportFormat.allCases.map(\.rawValue).joined(separator: ", ")
            throw ValidationError("unknown --format '\(format)'; choose one of: \(choices)")
        }
        if let output, output.isEmpty { throw ValidationError("--output needs a file name") }
    }

    func run() throws {
        let kind = ExportFormat(rawValue: format.lowercased()) ?? .markdown
        var data = try options.openReplica().export(kind, post: post, tag: tag)
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
