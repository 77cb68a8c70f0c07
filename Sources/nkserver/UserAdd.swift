import ArgumentParser
import NKServer

/// `nkserver user add NAME [--read-only]`: prints the new token alone on stdout.
struct UserAdd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Add a user and print their token (shown only this once)."
    )

    @OptionGroup var user: UserNameArgument

    @Flag(name: .customLong("read-only"), help: "The user may pull but not push.")
    var readOnly = false

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let token = try await database.withStore { try await $0.addUser(name: user.name, readOnly: readOnly) }
        print(token)
    }
}
