import ArgumentParser
import NKServer

/// `nkserver token rotate NAME`: prints the new token alone on stdout; the old one stops working at once.
struct TokenRotate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate",
        abstract:
            "Give a user a new token (printed once); the old one stops working at once, also while the server runs."
    )

    @Argument(help: "The user name.")
    var name: String

    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        do {
            try ServerStore.checkUserName(name)
        } catch let error as ServerError {
            throw ValidationError(error.message)
        }
    }

    func run() async throws {
        print(try await database.openExisting().rotateToken(name: name))
    }
}
