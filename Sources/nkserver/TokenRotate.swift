import ArgumentParser
import NKServer

/// `nkserver token rotate NAME`: prints the new token alone on stdout; the old one stops working at once.
struct TokenRotate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate",
        abstract:
            "Give a user a new token (printed once); the old one stops working at once, also while the server runs."
    )

    @OptionGroup var user: UserNameArgument

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        print(try await database.withExistingStore { try await $0.rotateToken(name: user.name) })
    }
}
