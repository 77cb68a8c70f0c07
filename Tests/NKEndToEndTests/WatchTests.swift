import Foundation
import NKTestSupport
import NKTestTraits
import Testing

/// `nkclient sync --watch` against a live server.
@Suite(.serialized, .processes, .tags(.live, .postgres)) struct WatchTests {
    let quote = "the latest round of sanctions"

    /// The target is delivery within a second on loopback, and `NK_STRICT_TIMING=1` checks
    /// exactly that. By default the bound is looser, so that a loaded CI machine (every suite runs at
    /// once on two cores) does not fail the run: it still proves the note came through the long poll
    /// (which would otherwise answer only after 25 s) with no command run by the receiver.
    static let deliveryBound: TimeInterval =
        ProcessInfo.processInfo.environment["NK_STRICT_TIMING"] == "1" ? 1.0 : 5.0

    /// A server with alice and bob synced, and the sample post's id.
    func setUp(_ store: LiveStore) throws -> (LiveServer, Researcher, Researcher, String) {
        let server = try LiveServer(store: store)
        let alice = try Researcher("alice")
        let bob = try Researcher("bob")
        try alice.ok("init", "--server", server.url, "--token", try server.addUser("alice"))
        try bob.ok("init", "--server", server.url, "--token", try server.addUser("bob"))
        try alice.ok("sync")
        try bob.ok("sync")
        let posts = try alice.json([PostOutput].self, "posts")
        let post = try #require(posts.first { $0.title == "Seafood ban leaves processing plants idle" }).id
        return (server, alice, bob, post)
    }

    /// Starts bob's watcher and waits until it says it is watching (its first sync is done).
    func startWatching(_ bob: Researcher, json: Bool = false) throws -> BackgroundProcess {
        let watcher = try bob.start(["sync", "--watch"] + (json ? ["--json"] : []))
        guard try waitUntil(10, { watcher.stderrText().contains("watching ") }) else {
            throw HarnessError("the watcher never started: \(watcher.stderrText())")
        }
        // Leave it a moment to open its long poll.
        Thread.sleep(forTimeInterval: 0.2)
        return watcher
    }

    /// Seconds from now until `id` is among `researcher`'s notes (nil if not within `limit`).
    func delayUntilNote(_ id: String, at researcher: Researcher, limit: TimeInterval = 10) throws -> TimeInterval? {
        let start = Date()
        let arrived = try waitUntil(limit) { try researcher.json([NoteOutput].self, "notes").contains { $0.id == id } }
        return arrived ? Date().timeIntervalSince(start) : nil
    }

    @Test(arguments: LiveStore.available) func aColleaguesNoteReachesAWatchingReplicaWithinASecond(_ store: LiveStore)
        throws
    {
        let (server, alice, bob, post) = try setUp(store)
        let watcher = try startWatching(bob, json: true)
        defer { watcher.stop(signal: SIGKILL) }

        // When alice annotates and syncs
        let id = try alice.ok("annotate", post, "--quote", quote, "--note", "Live note")
        try alice.ok("sync")

        // Then bob's replica has it within a second, with no command run by bob
        let delay = try #require(try delayUntilNote(id, at: bob), "never arrived: \(watcher.stderrText())")
        print("watch delivery took \(delay) s")
        #expect(delay < Self.deliveryBound, "took \(delay) s")

        // And the watcher printed one JSON line for that sync
        let line = try watcher.firstLine(timeout: 5)
        let output = try JSONDecoder().decode(WatchLineOutput.self, from: Data(line.utf8))
        #expect(output.pulled == 1 && output.pushed == 0)

        // And a note bob writes in another process is pushed without him running sync
        let own = try bob.ok("annotate", post, "--quote", "hard currency", "--note", "Bob, live")
        #expect(try waitUntil(3) { try bob.json(LastSyncOutput.self, "status").pending == 0 })
        try alice.ok("sync")
        #expect(try alice.json([NoteOutput].self, "notes").contains { $0.id == own })
        _ = server
    }

    @Test(arguments: LiveStore.available) func theWatcherReconnectsAfterAServerRestartAndStopsCleanly(
        _ store: LiveStore
    ) throws {
        let (server, alice, bob, post) = try setUp(store)
        let watcher = try startWatching(bob)
        defer { watcher.stop(signal: SIGKILL) }

        // When the server goes away and comes back on the same port
        let port = server.port
        server.stop()
        #expect(try waitUntil(10) { watcher.stderrText().contains("lost the server at \(server.url)") })
        Thread.sleep(forTimeInterval: 1)
        try server.start(port: port)

        // Then the watcher says it is back, once
        #expect(
            try waitUntil(15) { watcher.stderrText().contains("reconnected to \(server.url)") },
            "\(watcher.stderrText())")
        let stderr = watcher.stderrText()
        #expect(stderr.components(separatedBy: "lost the server").count == 2, "\(stderr)")
        #expect(stderr.contains("retrying in"), "\(stderr)")

        // And it keeps delivering
        let id = try alice.ok("annotate", post, "--quote", quote, "--note", "After the restart")
        try alice.ok("sync")
        let delay = try #require(try delayUntilNote(id, at: bob), "never arrived: \(watcher.stderrText())")
        print("watch delivery took \(delay) s")
        #expect(delay < Self.deliveryBound, "took \(delay) s")

        // And SIGTERM ends it cleanly
        #expect(watcher.stop(signal: SIGTERM, timeout: 5) == 0)
    }

    @Test(arguments: LiveStore.available) func aRevokedTokenEndsTheWatchWithTheTokenMessage(_ store: LiveStore) throws {
        let (server, _, bob, post) = try setUp(store)
        let watcher = try startWatching(bob)
        defer { watcher.stop(signal: SIGKILL) }
        #expect(try server.admin(["user", "revoke", "bob"]).succeeded)
        // The revocation is noticed at the next request: a local change makes the watcher sync now.
        try bob.ok("annotate", post, "--quote", quote, "--note", "Written after revocation")
        let status = try watcher.wait(timeout: 10)
        #expect(status == 77)
        #expect(watcher.stderrText().contains("nkclient login --token"), "\(watcher.stderrText())")
        #expect(try bob.json(LastSyncOutput.self, "status").pending == 1)
    }

    @Test(arguments: LiveStore.available) func sigintEndsTheWatchCleanly(_ store: LiveStore) throws {
        let (server, _, bob, _) = try setUp(store)
        let watcher = try startWatching(bob)
        #expect(watcher.stop(signal: SIGINT, timeout: 5) == 0)
        _ = server
    }
}
