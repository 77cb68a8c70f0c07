import ArgumentParser
import NKClient

/// `nkclient resolve ANN_ID (--pick N | --note TEXT [--tag TAG]...)`.
struct ResolveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resolve",
        abstract: "Settle a conflicted annotation: keep one version, or write a new note.",
        discussion: "--note without --tag keeps the union of the versions' tags."
    )

    @OptionGroup var options: HomeOptions

    @Argument(help: ArgumentHelp("The annotation's id, or a unique prefix of it.", valueName: "ANN_ID"))
    var annotationID: String

    @Option(help: ArgumentHelp("Keep version N (0-based, as nkclient conflicts lists them).", valueName: "N"))
    var pick: Int?

    @Option(help: ArgumentHelp("Write this note instead.", valueName: "TEXT"))
    var note: String?

    @Option(name: .customLong("tag"), help: ArgumentHelp("A tag for the new note (repeat for more).", valueName: "TAG"))
    var tags: [String] = []

    func validate() throws {
        switch (pick, note) {
        case (nil, nil): throw ValidationError("give --pick N or --note TEXT")
        case (.some, .some): throw ValidationError("give only one of --pick and --note")
        case (.some(let index), nil):
            if index < 0 { throw ValidationError("--pick counts from 0") }
            if !tags.isEmpty { throw ValidationError("--tag goes with --note, not --pick") }
        case (nil, .some): break
        }
    }

    func run() throws {
        let resolution: Resolution =
            if let pick { .pick(pick) } else { .write(note: note ?? "", tags: tags.isEmpty ? nil : tags) }
        try options.openReplica().resolve(annotationID, resolution)
    }
}
