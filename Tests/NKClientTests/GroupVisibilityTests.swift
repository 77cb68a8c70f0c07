import Foundation
import NKProtocol
import NKTestTraits
import Testing

@testable import NKClient

@Suite(.tags(.unit)) struct GroupVisibilityTests {
    let post = Fixtures.post.id.rawValue

    @Test func aGroupNoteIsWrittenWithItsGroupAndOnlyItsAuthorChangesThat() async throws {
        let folder = try ScratchFolder()
        let server = FakeServer()
        server.seed(Fixtures.postVersion())
        let alice = try Fixtures.replica(user: "alice", replica: "rep-alice", in: folder)
        let bob = try Fixtures.replica(user: "bob", replica: "rep-bob", in: folder)
        let id = try alice.annotate(post: post, quote: "hard currency", note: "north only", visibility: .group("north"))
        #expect(try alice.notes().first?.visibility == .group("north"))
        _ = try await SyncEngine(replica: alice, transport: server).run()
        _ = try await SyncEngine(replica: bob, transport: server).run()

        // A member who is not the author edits the note; the group stays.
        try bob.edit(id.rawValue, note: "seen by bob", tags: ["north"])
        let edited = try #require(try bob.notes().first)
        #expect(edited.note == "seen by bob" && edited.visibility == .group("north") && edited.author == "alice")

        // But may not change the visibility, nor delete it.
        #expect {
            try bob.edit(id.rawValue, visibility: .shared)
        } throws: { error in
            let error = error as? ClientError
            return error?.code == .notAllowed && error?.message.contains("only the author (alice)") == true
        }
        #expect(throws: ClientError.self) { try bob.delete(id.rawValue) }
        #expect(try bob.notes().first?.visibility == .group("north"))

        // The author may move it to another group, or share it.
        try alice.edit(id.rawValue, visibility: .group("south"))
        #expect(try alice.notes().first?.visibility == .group("south"))
        try alice.edit(id.rawValue, visibility: .shared)
        #expect(try alice.notes().first?.visibility == .shared)
    }

    @Test func aReadOnlyAccountStillPullsAndKeepsItsChange() async throws {
        let folder = try ScratchFolder()
        let server = FakeServer()
        server.seed(Fixtures.postVersion())
        server.readOnlyUsers = ["bob"]
        let alice = try Fixtures.replica(user: "alice", replica: "rep-alice", in: folder)
        let bob = try Fixtures.replica(user: "bob", replica: "rep-bob", in: folder)
        try alice.annotate(post: post, quote: "hard currency", note: "from alice")
        _ = try await SyncEngine(replica: alice, transport: server).run()
        try bob.annotate(post: post, quote: "sanctions", note: "bob's own")

        await #expect {
            _ = try await SyncEngine(replica: bob, transport: server).run()
        } throws: { error in
            let error = error as? ClientError
            return error?.code == .forbidden && error?.serverCode == .readOnly
                && error?.message.contains("1 local change is kept") == true
        }
        let notes = try bob.notes()
        #expect(Set(notes.map(\.note)) == ["from alice", "bob's own"])
        #expect(try bob.status().pending == 1)
        #expect(try bob.status().cursor == server.lastSeq)
    }
}
