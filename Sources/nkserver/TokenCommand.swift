import ArgumentParser

/// `nkserver token`: bearer tokens.
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Manage bearer tokens.",
        subcommands: [TokenRotate.self]
    )
}
