import ArgumentParser
import NKServer

/// `nkserver group add-member GROUP USER`: the user's next sync brings the group's notes.
struct GroupAddMember: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add-member",
        abstract: "Add a user to a group; their next sync brings the group's notes (also while the server runs)."
    )

    @OptionGroup var membership: MembershipArguments
    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let count = try await database.withExistingStore {
            try await $0.addMember(group: membership.group, user: membership.user)
        }
        print("added '\(membership.user)' to group '\(membership.group)' (\(count) notes re-announced)")
    }
}
