import ArgumentParser
import NKServer

/// `nkserver group add NAME`.
struct GroupAdd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add", abstract: "Add an empty group.")

    @Argument(help: "The group name: 1 to 64 letters, digits, '.', '_' or '-'.")
    var name: String

    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        do {
            try AccountNames.checkGroup(name)
        } catch let error as ServerError {
            throw ValidationError(error.message)
        }
    }

    func run() async throws {
        try await database.withStore { try await $0.addGroup(name: name) }
        print("added group '\(name)'")
    }
}
