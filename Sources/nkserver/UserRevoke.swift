import ArgumentParser
import NKServer

/// `nkserver user revoke NAME`: the token stops working on the next request.
struct UserRevoke: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke",
        abstract: "Revoke a user's token at once (also while the server runs)."
    )

    @OptionGroup var user: UserNameArgument

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        if try await database.withExistingStore({ try await $0.revokeUser(name: user.name) }) {
            print("revoked user '\(user.name)'")
        } else {
            print("user '\(user.name)' was already revoked")
        }
    }
}
