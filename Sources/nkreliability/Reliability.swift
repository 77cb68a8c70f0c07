import ArgumentParser

/// `nkreliability SUITE`: the reliability suites of RELIABILITY.md, each printing one line of figures.
@main
struct Reliability: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nkreliability",
        abstract: "Kill, replay and attack a real nkserver and real nkclient replicas; print the figures.",
        discussion: """
            Each suite prints one line `suite=NAME key=value ...` on stdout and exits 1 when a target \
            is missed. The binaries nkserver and nkclient are taken from the folder of this program \
            (or $NK_BIN_DIR).
            """,
        subcommands: [
            ClientKillSuite.self, ServerKillSuite.self, ReplaySuite.self, ConcurrentSuite.self, ClockSkewSuite.self,
            HostileSuite.self, DiskFaultSuite.self,
        ]
    )
}

/// Options every suite takes.
struct SuiteOptions: ParsableArguments {
    @Flag(help: "The short version (as the test suite runs it).")
    var quick = false

    @Option(help: "Seed of the random schedule (the same seed gives the same schedule).")
    var seed: UInt64 = 1
}
