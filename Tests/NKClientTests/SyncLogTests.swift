import Foundation
import NKProtocol
import NKTestTraits
import Testing

@testable import NKClient

@Suite(.tags(.unit)) struct SyncLogTests {
    let post = Fixtures.post.id.rawValue

    @Test(
        arguments: [
            (ApplyStatus.unchanged, 1, 0, false, nil),
            (.applied, 0, 0, false, .added),
            (.applied, 1, 1, false, .edited),
            (.applied, 1, 1, true, .deleted),
            (.applied, 2, 2, false, .resolved),
            (.applied, 2, 2, true, .resolved),
            (.conflict, 1, 0, false, .conflict),
            (.conflict, 1, 0, true, .conflict),
        ] as [(ApplyStatus, Int, Int, Bool, SyncLogAction?)])
    func eachApplyOutcomeHasItsAction(
        status: ApplyStatus, held: Int, removed: Int, deleted: Bool, action: SyncLogAction?
    ) {
        #expect(SyncLog.action(status: status, held: held, removed: removed, deleted: deleted) == action)
    }

    @Test func theLogSaysWhoAddedEditedConflictedResolvedDeletedAndHidWhat() async throws {
        let folder = try ScratchFolder()
        let server = FakeServer()
        server.seed(Fixtures.postVersion())
        let alice = try Fixtures.replica(user: "alice", replica: "rep-alice", in: folder)
        let bob = try Fixtures.replica(user: "bob", replica: "rep-bob", in: folder)
        func sync(_ replica: Replica) async throws {
            _ = try await SyncEngine(replica: replica, transport: server).run()
        }

        // Added
        let id = try alice.annotate(post: post, quote: "hard currency", note: "Check the second paragraph again")
        try await sync(alice)
        try await sync(bob)
        var log = try bob.syncLog()
        #expect(log.count == 1)
        let added = try #require(log.first)
        #expect(added.action == .added && added.type == .annotation && added.id == id.rawValue)
        #expect(added.editor == "alice" && added.postId == post && added.title == Fixtures.post.title)
        #expect(added.excerpt == "Check the second paragraph again")

        // Edited
        try alice.edit(id.rawValue, note: "Edited")
        try await sync(alice)
        try await sync(bob)
        log = try bob.syncLog()
        #expect(log.map(\.action) == [.edited, .added])
        #expect(log[0].excerpt == "Edited" && log[0].editor == "alice")
        #expect(log[0].syncId != log[1].syncId)

        // Conflict, then resolved
        try alice.edit(id.rawValue, note: "Alice's")
        try bob.edit(id.rawValue, note: "Bob's")
        try await sync(alice)
        try await sync(bob)
        #expect(try bob.syncLog(limit: 1).first?.action == .conflict)
        try await sync(alice)
        #expect(try alice.syncLog(limit: 1).first?.action == .conflict)
        try alice.resolve(id.rawValue, .write(note: "Both", tags: nil))
        try await sync(alice)
        try await sync(bob)
        let resolved = try #require(try bob.syncLog(limit: 1).first)
        #expect(resolved.action == .resolved && resolved.editor == "alice" && resolved.excerpt == "Both")

        // Deleted
        try alice.delete(id.rawValue)
        try await sync(alice)
        try await sync(bob)
        #expect(try bob.syncLog(limit: 1).first?.action == .deleted)

        // Hidden: a second note that bob then loses access to
        let second = try alice.annotate(post: post, quote: "sanctions", note: "group only")
        try await sync(alice)
        try await sync(bob)
        let held = try #require(try bob.held(second.rawValue).first)
        server.hide(HiddenVersion(type: .annotation, id: second.rawValue, version: held.version.version))
        try await sync(bob)
        let hidden = try #require(try bob.syncLog(limit: 1).first)
        #expect(hidden.action == .hidden && hidden.id == second.rawValue && hidden.editor == nil)
        #expect(try bob.notes().isEmpty)
        // Limit and order: newest first.
        #expect(try bob.syncLog(limit: 3).map(\.action) == [.hidden, .added, .deleted])
    }

    @Test func aLongNoteIsCutToAnExcerpt() async throws {
        let folder = try ScratchFolder()
        let server = FakeServer()
        server.seed(Fixtures.postVersion())
        let alice = try Fixtures.replica(user: "alice", replica: "rep-alice", in: folder)
        let bob = try Fixtures.replica(user: "bob", replica: "rep-bob", in: folder)
        try alice.annotate(post: post, quote: "hard currency", note: String(repeating: "word ", count: 40) + "\nend")
        _ = try await SyncEngine(replica: alice, transport: server).run()
        _ = try await SyncEngine(replica: bob, transport: server).run()
        let excerpt = try #require(try bob.syncLog().first?.excerpt)
        #expect(excerpt.count == SyncLog.excerptLength && excerpt.hasSuffix("…") && !excerpt.contains("\n"))
    }
}
