import Foundation
import NKProtocol
import NKTestTraits
import Testing

@testable import NKServer

/// Only a replica advances its own counter: a pushed vector may claim of every other replica at
/// most what the server has stored for the record (issue 13).
@Suite("Store: causality that cannot be forged", .tags(.unit, .postgres))
struct StoreCausalityTests {
    /// The sample post; alice's shared note at ra:1, pulled by bob.
    struct World {
        let fixture: StoreFixture
        let alice: AuthenticatedUser
        let bob: AuthenticatedUser
        let note: Annotation
        var store: any ServerStore { fixture.store }

        init(_ kind: StoreKind) async throws {
            fixture = try await StoreFixture(kind)
            _ = try await fixture.store.importPosts([Sample.post])
            alice = try await fixture.user("alice").user
            bob = try await fixture.user("bob").user
            note = try Sample.annotation(note: "Alice's shared note.")
            let first = try await fixture.store.push(
                user: alice, replica: ReplicaID("ra"), versions: [Sample.annotationVersion(note, ["ra": 1])])
            #expect(first.map(\.status) == [.applied])
        }

        func push(_ user: AuthenticatedUser, _ replica: String, _ version: RecordVersion) async throws -> PushItemResult
        {
            try #require(try await store.push(user: user, replica: ReplicaID(replica), versions: [version]).first)
        }

        func held() async throws -> [VersionVector] {
            try await store.record(user: alice, type: .annotation, id: note.id.rawValue).map(\.version)
        }

        func edited(_ text: String, visibility: Visibility = .shared) -> Annotation {
            var edit = note
            edit.note = text
            edit.visibility = visibility
            return edit
        }
    }

    @Test(arguments: StoreKind.available)
    func aCounterOfAnotherReplicaAboveTheStoredOnesIsRefused(_ kind: StoreKind) async throws {
        let world = try await World(kind)

        // When bob claims edit 1000 of alice's replica
        let forged = try await world.push(
            world.bob, "rb", Sample.annotationVersion(world.edited("Bob's takeover."), ["ra": 1000, "rb": 1]))

        // Then it is refused and nothing changes
        #expect(forged.status == .rejected)
        #expect(forged.code == .unknownCausality)
        #expect(forged.message?.contains("'ra'") == true)
        #expect(try await world.held() == [vector(["ra": 1])])

        // And alice's next edits apply: a new text, then making the note private
        let text = try await world.push(
            world.alice, "ra", Sample.annotationVersion(world.edited("Alice's second thought."), ["ra": 2]))
        let narrowed = try await world.push(
            world.alice, "ra",
            Sample.annotationVersion(world.edited("Alice's second thought.", visibility: .private), ["ra": 3]))
        #expect(text.status == .applied)
        #expect(narrowed.status == .applied)
        #expect(try await world.held() == [vector(["ra": 3])])
    }

    @Test(arguments: StoreKind.available)
    func aCounterAtTheLimitCannotBlockTheReplica(_ kind: StoreKind) async throws {
        let world = try await World(kind)
        let limit = UInt64(1) << 53

        let forged = try await world.push(
            world.bob, "rb", Sample.annotationVersion(world.edited("Blocked."), ["ra": limit, "rb": 1]))
        let edit = try await world.push(
            world.alice, "ra", Sample.annotationVersion(world.edited("Still mine."), ["ra": 2]))

        #expect(forged.code == .unknownCausality)
        #expect(edit.status == .applied)
        #expect(try await world.held() == [vector(["ra": 2])])
    }

    @Test(arguments: StoreKind.available)
    func anEditThatHasSeenTheStoredVersionsApplies(_ kind: StoreKind) async throws {
        let world = try await World(kind)

        // bob edits what he pulled; alice edits that; bob's claim of ra:2 is now what is stored
        let bobs = try await world.push(
            world.bob, "rb", Sample.annotationVersion(world.edited("B"), ["ra": 1, "rb": 1]))
        let alices = try await world.push(
            world.alice, "ra", Sample.annotationVersion(world.edited("A"), ["ra": 2, "rb": 1]))
        let again = try await world.push(
            world.bob, "rb", Sample.annotationVersion(world.edited("B2"), ["ra": 2, "rb": 2]))
        let ahead = try await world.push(
            world.bob, "rb", Sample.annotationVersion(world.edited("B3"), ["ra": 3, "rb": 3]))

        #expect([bobs.status, alices.status, again.status] == [.applied, .applied, .applied])
        #expect(ahead.code == .unknownCausality)
        #expect(try await world.held() == [vector(["ra": 2, "rb": 2])])
    }

    @Test(arguments: StoreKind.available)
    func aNewRecordMayOnlyCarryThePushersOwnCounter(_ kind: StoreKind) async throws {
        let world = try await World(kind)
        let fresh = try Sample.annotation(note: "New.")
        var post = Sample.post
        post.title = "A post nobody has"
        post.id = PostID.derived(category: post.category, title: post.title)

        let foreignNote = try await world.push(world.bob, "rb", Sample.annotationVersion(fresh, ["ra": 1, "rb": 1]))
        let foreignPost = try await world.push(world.bob, "rb", Sample.postVersion(["ra": 1, "rb": 1], post: post))
        let own = try await world.push(world.bob, "rb", Sample.annotationVersion(fresh, ["rb": 7]))

        #expect(foreignNote.code == .unknownCausality)
        #expect(foreignPost.code == .unknownCausality)
        #expect(own.status == .applied)
    }

    /// The server's own replica numbers the posts it imports; a client edit of an imported post
    /// carries that counter as stored, and cannot claim a higher one.
    @Test(arguments: StoreKind.available)
    func anImportedPostsCounterIsKnownAndCannotBeRaised(_ kind: StoreKind) async throws {
        let world = try await World(kind)
        let server = world.store.serverReplicaID.rawValue
        var corrected = Sample.post
        corrected.source = "Corrected source"

        let raised = try await world.push(world.bob, "rb", Sample.postVersion([server: 2, "rb": 1], post: corrected))
        let honest = try await world.push(world.bob, "rb", Sample.postVersion([server: 1, "rb": 1], post: corrected))

        #expect(raised.code == .unknownCausality)
        #expect(honest.status == .applied)
    }

    /// A replica id is bound to the first user who pushes with it, so bob cannot advance alice's
    /// counter by pushing as her replica.
    @Test(arguments: StoreKind.available)
    func anotherUsersReplicaCannotBeUsedToAdvanceItsCounter(_ kind: StoreKind) async throws {
        let world = try await World(kind)

        let error = await #expect(throws: ServerError.self) {
            try await world.store.push(
                user: world.bob, replica: ReplicaID("ra"),
                versions: [Sample.annotationVersion(world.edited("As alice."), ["ra": 1000])])
        }

        #expect(error?.code == .replicaMismatch)
        #expect(try await world.held() == [vector(["ra": 1])])
    }
}
