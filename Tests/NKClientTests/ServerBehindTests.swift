import Foundation
import NKProtocol
import NKTestTraits
import Synchronization
import Testing

@testable import NKClient

/// A replica ahead of a server restored from a backup (docs/DESIGN.md, "A server restored from a
/// backup"): it sends again what it wrote and the server lost, and nothing another replica wrote.
@Suite(.tags(.unit)) struct ServerBehindTests {
    let post = Fixtures.post.id.rawValue

    /// Syncs `replica`, returning the summary and the lines the engine said.
    func sync(_ replica: Replica, _ server: FakeServer) async throws -> (SyncSummary, [String]) {
        let lines = Mutex<[String]>([])
        var engine = SyncEngine(replica: replica, transport: server)
        engine.notice = { line in lines.withLock { $0.append(line) } }
        let summary = try await engine.run()
        return (summary, lines.withLock { $0 })
    }

    @Test func eachReplicaSendsAgainItsOwnLostVersionsOnly() async throws {
        // Given alice and bob hold the post, and the server is backed up
        let folder = try ScratchFolder()
        let (server, alice, bob) = try SyncEngineTests().setUp(folder)
        _ = try await sync(alice, server)
        _ = try await sync(bob, server)
        let backup = server.snapshot()

        // And afterwards alice wrote a note that bob edited, and another one, all acknowledged
        let shared = try alice.annotate(post: post, quote: "hard currency", note: "alice's").rawValue
        _ = try await sync(alice, server)
        _ = try await sync(bob, server)
        try bob.edit(shared, note: "bob's edit of alice's")
        _ = try await sync(bob, server)
        _ = try await sync(alice, server)
        let second = try alice.annotate(post: post, quote: "hard currency", note: "alice's second").rawValue
        _ = try await sync(alice, server)

        // When the server is put back to the backup and alice syncs
        server.restore(backup)
        let (summary, lines) = try await sync(alice, server)

        // Then she is told once, and sends only her second note: bob's edit is his to send, and
        // her first version of the shared note is superseded by it here
        #expect(lines.count == 1)
        #expect(lines.first?.contains("is behind this replica (restored from a backup?): re-sending 1 change ") == true)
        #expect(summary.pushed == 1)
        #expect(try alice.status().pending == 0)
        #expect(try alice.status().cursor == server.lastSeq)

        // And bob, told too, sends his edit; then every replica holds both notes, once each
        let (bobSummary, bobLines) = try await sync(bob, server)
        #expect(bobLines.count == 1 && bobSummary.pushed == 1)
        _ = try await sync(alice, server)
        for replica in [alice, bob] {
            let notes = try replica.notes().map { "\($0.id): \($0.note)" }.sorted()
            #expect(notes == ["\(second): alice's second", "\(shared): bob's edit of alice's"].sorted())
        }

        // And a sync after that says nothing and sends nothing
        let (again, quiet) = try await sync(alice, server)
        #expect(quiet.isEmpty && again.pushed == 0)
    }
}
