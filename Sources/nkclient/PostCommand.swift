import ArgumentParser

/// `nkclient post edit ...`: commands on posts.
struct PostCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "post",
        abstract: "Correct posts.",
        subcommands: [PostEditCommand.self]
    )
}
