import ArgumentParser
import NKServer

/// `nkserver group`: research groups and their members.
struct Group: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage research groups: who may read the notes shared with a group.",
        subcommands: [GroupAdd.self, GroupAddMember.self, GroupRemoveMember.self, GroupList.self]
    )
}

/// The GROUP and USER arguments of `add-member` and `remove-member`.
struct MembershipArguments: ParsableArguments {
    @Argument(help: "The group name.")
    var group: String

    @Argument(help: "The user name.")
    var user: String

    func validate() throws {
        do {
            try AccountNames.checkGroup(group)
            try AccountNames.checkUser(user)
        } catch let error as ServerError {
            throw ValidationError(error.message)
        }
    }
}
