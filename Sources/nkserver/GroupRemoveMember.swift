import ArgumentParser
import NKServer

/// `nkserver group remove-member GROUP USER`: the group's notes leave the user's replicas at their next sync.
struct GroupRemoveMember: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove-member",
        abstract: "Remove a user from a group; the group's notes leave their replicas at their next sync."
    )

    @OptionGroup var membership: MembershipArguments
    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let count = try await database.withExistingStore {
            try await $0.removeMember(group: membership.group, user: membership.user)
        }
        print("removed '\(membership.user)' from group '\(membership.group)' (\(count) notes re-announced)")
    }
}
