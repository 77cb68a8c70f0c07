import Foundation
import GRDB
import NKProtocol
import NKTestTraits
import Testing

@testable import NKClient

@Suite(.tags(.unit)) struct SyncEngineTests {
    let post = Fixtures.post.id.rawValue

    /// A fake server holding the sample post, and replicas for alice and bob that already pulled it.
    func setUp(_ folder: ScratchFolder) throws -> (FakeServer, Replica, Replica) {
        let server = FakeServer()
        server.seed(Fixtures.postVersion())
        let alice = try Fixtures.replica(user: "alice", replica: "rep-alice", in: folder)
        let bob = try Fixtures.replica(user: "bob", replica: "rep-bob", in: folder)
        return (server, alice, bob)
    }

    func sync(_ replica: Replica, _ server: FakeServer, pullLimit: Int = 500) async throws -> SyncSummary {
        var engine = SyncEngine(replica: replica, transport: server)
        engine.pullLimit = pullLimit
        return try await engine.run()
    }

    @Test func aPushedNoteIsAcknowledgedAndReachesAnotherReplica() async throws {
        let folder = try ScratchFolder()
        let (server, alice, bob) = try setUp(folder)
        let id = try alice.annotate(post: post, quote: "hard currency", note: "check", tags: ["x"])

        let pushed = try await sync(alice, server)
        #expect(pushed == SyncSummary(pushed: 1, pulled: 0, conflicts: 0))
        #expect(try alice.status().pending == 0)
        #expect(try alice.status().lastSync != nil)

        let pulled = try await sync(bob, server)
        #expect(pulled == SyncSummary(pushed: 0, pulled: 1, conflicts: 0))
        let note = try #require(bob.notes().first)
        #expect(note.id == id && note.author == "alice" && note.note == "check")
        #expect(try bob.status().cursor == server.lastSeq)

        // A second sync does nothing on either side.
        #expect(try await sync(alice, server) == SyncSummary())
        #expect(try await sync(bob, server) == SyncSummary())
    }

    @Test func requestsCarryTheTokenAndJSONHeaders() async throws {
        let folder = try ScratchFolder()
        let (server, alice, _) = try setUp(folder)
        try alice.annotate(post: post, quote: "hard currency")
        _ = try await sync(alice, server)
        let push = try #require(server.requests.first { $0.method == .post })
        #expect(push.url == "http://server.test/v1/push")
        #expect(push.header("authorization") == "Bearer token-alice")
        #expect(push.header("Content-Type") == "application/json" && push.header("Accept") == "application/json")
        let body = try Wire.makeDecoder().decode(PushRequest.self, from: try #require(push.body))
        #expect(body.replica == ReplicaID("rep-alice") && body.versions.count == 1 && body.versions[0].editor == nil)
        // Pull, push, then pull again from the cursor the first pull left.
        #expect(server.paths().first == "/v1/changes?since=0&limit=500&replica=rep-alice")
        #expect(server.paths().last == "/v1/changes?since=1&limit=500&replica=rep-alice")
    }

    @Test func concurrentEditsBecomeAConflictOnBothReplicas() async throws {
        let folder = try ScratchFolder()
        let (server, alice, bob) = try setUp(folder)
        let id = try alice.annotate(post: post, quote: "hard currency", note: "draft").rawValue
        _ = try await sync(alice, server)
        _ = try await sync(bob, server)

        try alice.edit(id, note: "Alice's")
        try bob.edit(id, note: "Bob's")
        _ = try await sync(alice, server)
        #expect(try await sync(bob, server).conflicts == 1)
        #expect(try await sync(alice, server).conflicts == 1)
        #expect(
            try alice.conflicts().map { $0.versions.compactMap(\.note) }
                == bob.conflicts().map { $0.versions.compactMap(\.note) })

        // A resolution on one replica settles it everywhere.
        try bob.resolve(id, .write(note: "Both", tags: nil))
        _ = try await sync(bob, server)
        let summary = try await sync(alice, server)
        #expect(summary.conflicts == 0 && summary.pulled == 1)
        #expect(try alice.notes().map(\.note) == ["Both"] && alice.notes().map(\.version) == bob.notes().map(\.version))
    }

    @Test func aRejectedVersionIsKeptDroppedAndTheRecordFetchedAgain() async throws {
        let folder = try ScratchFolder()
        let (server, alice, _) = try setUp(folder)
        let id = try alice.annotate(post: post, quote: "hard currency", note: "fine").rawValue
        _ = try await sync(alice, server)
        server.rejectRule = { version in
            if case .annotation(let annotation) = version.body, annotation.note == "refused" {
                return (.forbidden, "not today")
            }
            return nil
        }

        try alice.edit(id, note: "refused")
        let summary = try await sync(alice, server)

        #expect(summary.pushed == 0)
        #expect(summary.rejections.map(\.code) == [.forbidden])
        // The server's version is back and shown; the rejected edit marks it, kept as written.
        let entry = try #require(try alice.notes().first)
        #expect(entry.note == "fine" && entry.rejected?.note == "refused" && entry.rejected?.serverHasRecord == true)
        #expect(try alice.status().pending == 0 && alice.status().rejected == 1)
        #expect(try alice.rejectedChanges().map(\.message) == ["not today"])
        #expect(server.paths().contains("/v1/records/annotation/\(id)"))
        #expect(try alice.read { db in try ReplicaStore.recordsToRefetch(db) }.isEmpty)

        // Editing fixes the rejected version (its words are the base) and settles it; the next sync pushes it.
        server.rejectRule = { _ in nil }
        try alice.edit(id, tags: ["fixed"])
        #expect(try alice.status().rejected == 0 && alice.status().pending == 1)
        #expect(try alice.notes().map(\.note) == ["refused"] && alice.notes().first?.rejected == nil)
        #expect(try await sync(alice, server).pushed == 1)
        #expect(try alice.conflicts().isEmpty)
    }

    @Test func aRejectedNewNoteStaysVisibleUntilDiscarded() async throws {
        let folder = try ScratchFolder()
        let (server, alice, _) = try setUp(folder)
        server.rejectRule = { _ in (.quoteNotFound, "the quote is not in the post") }
        let id = try alice.annotate(post: post, quote: "hard currency", note: "mine").rawValue
        let summary = try await sync(alice, server)
        #expect(summary.rejections.count == 1)
        #expect(try alice.status().pending == 0 && alice.status().rejected == 1)
        let entry = try #require(try alice.notes().first)
        #expect(
            entry.note == "mine" && entry.rejected?.code == .quoteNotFound && entry.rejected?.serverHasRecord == false)
        #expect(try alice.search("mine").first?.rejected == true)
        #expect(try alice.search("mine", scope: SearchScope(order: .date)).first?.rejected == true)
        // Delete is not the way to drop what the server never stored: discard is, explicitly.
        #expect(throws: ClientError.self) { try alice.delete(id) }
        let dropped = try alice.discard(String(id.prefix(6)))
        #expect(dropped.id == id && dropped.note == "mine")
        #expect(try alice.notes().isEmpty && alice.status().rejected == 0 && alice.search("mine").isEmpty)
        #expect(throws: ClientError.self) { try alice.discard(id) }
        #expect(throws: ClientError.self) { try alice.edit(id, note: "again") }
    }

    @Test func aRejectedNoteFixedAfterNewReplicaClaimsNoEditOfTheRetiredID() async throws {
        let folder = try ScratchFolder()
        let (server, alice, _) = try setUp(folder)
        server.rejectRule = { _ in (.unknownGroup, "no such group") }
        let id = try alice.annotate(post: post, quote: "hard currency", note: "mine", visibility: .group("nrth"))
        _ = try await sync(alice, server)
        var moved = alice
        let summary = try moved.startNewReplica()
        server.rejectRule = { _ in nil }

        let vector = try moved.edit(id.rawValue, visibility: .shared)
        #expect(vector[summary.retired] == 0 && vector[summary.replica] >= 1)
        #expect(try await sync(moved, server).pushed == 1)
        #expect(try moved.notes().map(\.note) == ["mine"] && moved.status().rejected == 0)
    }

    @Test func pullPagesAdvanceTheCursorPageByPage() async throws {
        let folder = try ScratchFolder()
        let (server, alice, bob) = try setUp(folder)
        for index in 0..<5 { try alice.annotate(post: post, quote: "hard currency", note: "n\(index)") }
        _ = try await sync(alice, server)

        let summary = try await sync(bob, server, pullLimit: 2)
        #expect(summary.pulled == 5)
        #expect(try bob.notes().count == 5)
        #expect(try bob.status().cursor == server.lastSeq)
        // 6 entries (the post and 5 notes) in pages of 2: 3 pages.
        #expect(server.paths(of: "bob").filter { $0.hasPrefix("/v1/changes") }.count == 3)
    }

    @Test func aFailureMidPullKeepsTheCursorOfTheLastAppliedPage() async throws {
        let folder = try ScratchFolder()
        let (server, alice, bob) = try setUp(folder)
        for index in 0..<5 { try alice.annotate(post: post, quote: "hard currency", note: "n\(index)") }
        _ = try await sync(alice, server)
        try bob.annotate(post: post, quote: "hard currency", note: "bob's offline note")

        server.failChangesCall = server.changesCallCount + 2
        await #expect {
            try await sync(bob, server, pullLimit: 2)
        } throws: { error in
            let error = error as? ClientError
            return error?.code == .unreachable && error?.message.contains("kept") == true
        }
        // The first page (the post and one note) is applied with its cursor; nothing after it.
        #expect(try bob.status().cursor == 2)
        #expect(try bob.notes().count == 2)
        // The pull comes before the push: Bob's own note waits, pending, for the next sync.
        #expect(try bob.status().pending == 1)

        server.failChangesCall = nil
        let summary = try await sync(bob, server, pullLimit: 2)
        #expect(summary.pulled == 4 && summary.pushed == 1)
        #expect(try bob.status().pending == 0)
        #expect(try bob.notes().count == 6 && bob.status().cursor == server.lastSeq)
    }

    @Test func aPageIsAppliedTogetherWithItsCursorOrNotAtAll() async throws {
        let folder = try ScratchFolder()
        let (server, alice, bob) = try setUp(folder)
        try alice.annotate(post: post, quote: "hard currency", note: "good")
        let bad = try alice.annotate(post: post, quote: "hard currency", note: "boom")
        _ = try await sync(alice, server)
        // Given the replica's database fails on the second version of the page
        try await bob.database.write { db in
            try db.execute(
                sql: """
                    CREATE TRIGGER boom BEFORE INSERT ON versions WHEN NEW.recordId = '\(bad.rawValue)'
                    BEGIN SELECT RAISE(ABORT, 'boom'); END
                    """)
        }
        let cursorBefore = try bob.status().cursor

        await #expect(throws: ClientError.self) { try await sync(bob, server) }

        #expect(try bob.status().cursor == cursorBefore)
        #expect(try bob.notes().isEmpty)
    }

    @Test func aHiddenChangeRemovesANoteMadePrivate() async throws {
        let folder = try ScratchFolder()
        let (server, alice, bob) = try setUp(folder)
        let id = try alice.annotate(post: post, quote: "hard currency").rawValue
        _ = try await sync(alice, server)
        _ = try await sync(bob, server)
        #expect(try bob.notes().count == 1)

        server.hide(HiddenVersion(type: .annotation, id: id, version: VersionVector([ReplicaID("rep-alice"): 2])))
        let summary = try await sync(bob, server)
        #expect(summary.pulled == 1)
        #expect(try bob.notes().isEmpty)
    }

    @Test func aRevokedTokenKeepsLocalChangesAndSaysHowToLogIn() async throws {
        let folder = try ScratchFolder()
        let (server, alice, _) = try setUp(folder)
        try alice.annotate(post: post, quote: "hard currency")
        server.revoked = true
        await #expect {
            try await sync(alice, server)
        } throws: { error in
            let error = error as? ClientError
            return error?.code == .unauthorized && error?.message.contains("nkclient login --token") == true
                && error?.message.contains("1 local change is kept") == true
        }
        #expect(try alice.status().pending == 1 && alice.status().lastSync == nil)
    }
}
