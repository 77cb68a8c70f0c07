import ArgumentParser
import NKClient

/// `--home DIR`, shared by every command.
struct HomeOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp("The replica folder (default: $NKCLIENT_HOME, else ~/.nkclient).", valueName: "DIR"))
    var home: String?

    /// The folder this command works on.
    var replicaHome: ReplicaHome { ReplicaHome.resolve(option: home) }

    /// Opens the replica, or fails with `no replica in DIR; run nkclient init ...`.
    func openReplica() throws(ClientError) -> Replica {
        try Replica.open(home: replicaHome)
    }
}
