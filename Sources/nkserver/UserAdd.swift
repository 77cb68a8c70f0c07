import ArgumentParser
import NKServer

/// `nkserver user add NAME [--read-only]`: prints the new token alone on stdout.
struct UserAdd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Add a user and print their token (shown only this once)."
    )

    @Argument(help: "The user name: 1 to 64 letters, digits, '.', '_' or '-'.")
    var name: String

    @Flag(name: .customLong("read-only"), help: "The user may pull but not push.")
    var readOnly = false

    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        do {
            try ServerStore.checkUserName(name)
        } catch let error as ServerError {
            throw ValidationError(error.message)
        }
    }

    func run() async throws {
        let store = try database.open()
        let token = try await store.addUser(name: name, readOnly: readOnly)
        print(token)
    }
}
