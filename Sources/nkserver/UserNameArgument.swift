import ArgumentParser
import NKServer

/// The `NAME` of a user, checked before the command opens the database.
struct UserNameArgument: ParsableArguments {
    @Argument(help: "The user name: 1 to 64 letters, digits, '.', '_' or '-'.")
    var name: String

    func validate() throws {
        do {
            try AccountNames.checkUser(name)
        } catch let error as ServerError {
            throw ValidationError(error.message)
        }
    }
}
