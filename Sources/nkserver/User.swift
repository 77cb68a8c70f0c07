import ArgumentParser

/// `nkserver user`: add, list and revoke users.
struct User: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage the users who may sync.",
        subcommands: [UserAdd.self, UserList.self, UserRevoke.self]
    )
}
