import ArgumentParser
import Foundation
import NKClient
import NKProtocol

/// `nkclient resolve ID (--pick N | --note TEXT [--tag TAG]... | --file F)`.
struct ResolveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resolve",
        abstract: "Settle a conflicted note or post: keep one version, or write what it should say.",
        discussion: """
            A note: --pick N keeps version N; --note writes a new note (without --tag it keeps the union \
            of the versions' tags). A post: --pick N keeps version N; --file F reads the post in the dump \
            format; with neither, $EDITOR opens both versions with their differences marked as git marks \
            a merge (<<<<<<<, =======, >>>>>>>): keep what the post should say and remove the markers.
            """
    )

    @OptionGroup var options: HomeOptions

    @Argument(help: ArgumentHelp("The note's or post's id, or a unique prefix of it.", valueName: "ID"))
    var id: String

    @Option(help: ArgumentHelp("Keep version N (0-based, as nkclient conflicts lists them).", valueName: "N"))
    var pick: Int?

    @Option(help: ArgumentHelp("A note: write this note instead.", valueName: "TEXT"))
    var note: String?

    @Option(name: .customLong("tag"), help: ArgumentHelp("A tag for the new note (repeat for more).", valueName: "TAG"))
    var tags: [String] = []

    @Option(help: ArgumentHelp("A post: read what it should say from this file (dump format).", valueName: "F"))
    var file: String?

    func validate() throws {
        if let pick, pick < 0 { throw ValidationError("--pick counts from 0") }
        if [pick != nil, note != nil, file != nil].filter({ $0 }).count > 1 {
            throw ValidationError("give only one of --pick, --note and --file")
        }
        if !tags.isEmpty, note == nil { throw ValidationError("--tag goes with --note") }
    }

    func run() throws {
        let replica = try options.openReplica()
        let record = try replica.recordRef(id)
        switch record.type {
        case .annotation:
            if file != nil { throw ValidationError("--file settles a post; for a note give --pick N or --note TEXT") }
            let resolution: Resolution
            if let pick {
                resolution = .pick(pick)
            } else if let note {
                resolution = .write(note: note, tags: tags.isEmpty ? nil : tags)
            } else {
                throw ValidationError("give --pick N or --note TEXT")
            }
            try replica.resolve(record.id, resolution)
        case .post:
            if note != nil { throw ValidationError("--note settles a note; for a post give --pick N or --file F") }
            if let pick {
                try replica.resolvePost(record.id, pick: pick)
            } else if let file {
                let text = try CorpusFiles.read(file)
                do {
                    try replica.resolvePost(record.id, text: text)
                } catch {
                    throw error.code == .invalidInput
                        ? ClientError(error.code, "\(file): \(error.message); nothing was changed") : error
                }
            } else {
                let marked = try replica.conflictText(record.id)
                let path = try PostEditCommand.edit(marked.text, id: record.id)
                let text = try CorpusFiles.read(path)
                do {
                    try replica.resolvePost(record.id, text: text)
                } catch {
                    throw ClientError(
                        error.code, "\(error.message); nothing was changed, and your text is kept in \(path)")
                }
                try? FileManager.default.removeItem(atPath: path)
            }
            Output.line("post \(Output.inline(record.id)) settled (pending; nkclient sync shares it)")
        }
    }
}
