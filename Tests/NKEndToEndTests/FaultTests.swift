import Foundation
import NKTestSupport
import NKTestTraits
import Testing

/// Faults a researcher meets: the server is down, the token is revoked, the input is wrong.
@Suite(.serialized, .processes, .tags(.live)) struct FaultTests {
    @Test func anUnreachableServerKeepsTheChangesAndSaysSo() throws {
        let server = try LiveServer()
        let alice = try Researcher("alice")
        try alice.ok("init", "--server", server.url, "--token", try server.addUser("alice"))
        try alice.ok("sync")
        let post = try #require(try alice.json([PostOutput].self, "posts").first { $0.title.hasPrefix("Seafood") })
        let id = try alice.ok("annotate", post.id, "--quote", "hard currency", "--note", "offline work")

        // When the server is gone
        server.stop()
        let failed = try alice.run(["sync"])

        // Then sync fails with one line naming the URL and saying the change is kept
        #expect(failed.status != 0)
        let lines = failed.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(failed.stderr)")
        #expect(failed.stderr.contains(server.url))
        #expect(failed.stderr.contains("kept"))
        #expect(try alice.json(StatusOutput.self, "status").pending == 1)

        // And once the server is back on the same port, the change goes through
        try server.start(port: server.port)
        #expect(try alice.json(SyncOutput.self, "sync").pushed == 1)
        #expect(try alice.json([NoteOutput].self, "notes").map(\.id) == [id])
    }

    @Test func aRevokedTokenIsACleanErrorAndLosesNothing() throws {
        let server = try LiveServer()
        let alice = try Researcher("alice")
        try alice.ok("init", "--server", server.url, "--token", try server.addUser("alice"))
        try alice.ok("sync")
        let post = try #require(try alice.json([PostOutput].self, "posts").first { $0.title.hasPrefix("Seafood") })
        try alice.ok("annotate", post.id, "--quote", "hard currency", "--note", "written before revocation")

        // The admin revokes Alice while the server runs.
        #expect(try server.admin(["user", "revoke", "alice"]).succeeded)
        let failed = try alice.run(["sync"])
        #expect(failed.status != 0)
        #expect(failed.stderr.contains("token"), "\(failed.stderr)")
        #expect(failed.stderr.split(separator: "\n").count == 1)
        #expect(try alice.json(StatusOutput.self, "status").pending == 1)

        // A wrong token at init creates nothing.
        let bob = try Researcher("bob")
        let refused = try bob.run(["init", "--server", server.url, "--token", "not-a-token"])
        #expect(refused.status != 0 && refused.stderr.contains("token"))
        #expect(try !bob.run(["status"]).succeeded)
    }

    @Test func badInputOnTheCommandLineIsOneReadableLine() throws {
        let server = try LiveServer()
        let alice = try Researcher("alice")
        // No replica yet.
        let noReplica = try alice.run(["notes"])
        #expect(noReplica.status != 0 && noReplica.stderr.contains("nkclient init"))
        try alice.ok("init", "--server", server.url, "--token", try server.addUser("alice"))
        // A second init refuses to overwrite.
        #expect(try !alice.run(["init", "--server", server.url, "--token", "x"]).succeeded)
        try alice.ok("sync")
        let post = try #require(try alice.json([PostOutput].self, "posts").first { $0.title.hasPrefix("Seafood") })
        let cases: [[String]] = [
            ["annotate", post.id, "--quote", "words that are not in the post"],
            ["annotate", "ffffffffffffffff", "--quote", "hard currency"],
            ["read", "zzzz"],
            ["edit", "00000000-0000-0000-0000-000000000000", "--note", "x"],
            ["resolve", "abc"],
        ]
        for arguments in cases {
            let result = try alice.run(arguments)
            #expect(result.status != 0, "\(arguments)")
            #expect(result.stderr.split(separator: "\n").count >= 1, "\(arguments)")
            #expect(!result.stderr.contains("Fatal error") && !result.stderr.contains("backtrace"), "\(arguments)")
            #expect(result.stdout.isEmpty, "\(arguments)")
        }
        #expect(try alice.json(StatusOutput.self, "status").pending == 0)
    }
}
