import ArgumentParser
import NKServer

/// `nkserver user revoke NAME`: the token stops working on the next request.
struct UserRevoke: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke",
        abstract: "Revoke a user's token at once (also while the server runs)."
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
        let store = try database.openExisting()
        if try await store.revokeUser(name: name) {
            print("revoked user '\(name)'")
        } else {
            print("user '\(name)' was already revoked")
        }
    }
}
