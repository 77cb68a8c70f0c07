import Foundation
import NKProtocol
import NKTestTraits
import Testing

@testable import NKServer

@Suite("Store: annotation authorisation", .tags(.unit, .postgres))
struct StoreAnnotationTests {
    /// A store holding the sample post, with alice and bob.
    struct World {
        let fixture: StoreFixture
        let alice: AuthenticatedUser
        let bob: AuthenticatedUser

        init(_ kind: StoreKind) async throws {
            fixture = try await StoreFixture(kind)
            _ = try await fixture.store.importPosts([Sample.post])
            alice = try await fixture.user("alice").user
            bob = try await fixture.user("bob").user
        }

        func push(_ user: AuthenticatedUser, _ replica: String, _ version: RecordVersion) async throws -> PushItemResult
        {
            try #require(
                try await fixture.store.push(user: user, replica: ReplicaID(replica), versions: [version]).first)
        }
    }

    @Test(arguments: StoreKind.available)
    func newAnnotationTakesTheTokensUserAsAuthor(_ kind: StoreKind) async throws {
        let world = try await World(kind)
        let note = try Sample.annotation(author: "bob")

        let result = try await world.push(world.alice, "ra", Sample.annotationVersion(note, ["ra": 1]))

        #expect(result.status == .applied)
        let held = try await world.fixture.store.record(user: world.alice, type: .annotation, id: note.id.rawValue)
        guard case .annotation(let stored) = held.first?.body else {
            Issue.record("no annotation held")
            return
        }
        #expect(stored.author == "alice")
    }

    @Test(arguments: StoreKind.available)
    func newAnnotationNeedsAKnownPostAndAQuoteInIt(_ kind: StoreKind) async throws {
        let world = try await World(kind)
        var orphan = try Sample.annotation()
        orphan.postId = PostID("0123456789abcdef")
        var misquoted = try Sample.annotation()
        misquoted.anchor!.exact = "words that are not in the post"

        let unknown = try await world.push(world.alice, "ra", Sample.annotationVersion(orphan, ["ra": 1]))
        let notFound = try await world.push(world.alice, "ra", Sample.annotationVersion(misquoted, ["ra": 1]))

        #expect(unknown.status == .rejected)
        #expect(unknown.code == .unknownPost)
        #expect(notFound.status == .rejected)
        #expect(notFound.code == .quoteNotFound)
    }

    @Test(arguments: StoreKind.available)
    func nonAuthorMayEditSharedButKeepsTheAuthor(_ kind: StoreKind) async throws {
        let world = try await World(kind)
        let note = try Sample.annotation()
        _ = try await world.push(world.alice, "ra", Sample.annotationVersion(note, ["ra": 1]))
        var edit = note
        edit.note = "Bob's addition."
        edit.author = "bob"

        let result = try await world.push(world.bob, "rb", Sample.annotationVersion(edit, ["ra": 1, "rb": 1]))

        #expect(result.status == .applied)
        let held = try await world.fixture.store.record(user: world.bob, type: .annotation, id: note.id.rawValue)
        #expect(held.count == 1)
        #expect(held.first?.editor == "bob")
        guard case .annotation(let stored) = held.first?.body else {
            Issue.record("no annotation held")
            return
        }
        #expect(stored.author == "alice")
        #expect(stored.note == "Bob's addition.")
    }

    @Test(arguments: StoreKind.available) func nonAuthorMayNotMakePrivateOrDelete(_ kind: StoreKind) async throws {
        let world = try await World(kind)
        let note = try Sample.annotation()
        _ = try await world.push(world.alice, "ra", Sample.annotationVersion(note, ["ra": 1]))
        var privateEdit = note
        privateEdit.visibility = .private

        let makePrivate = try await world.push(
            world.bob, "rb", Sample.annotationVersion(privateEdit, ["ra": 1, "rb": 1]))
        let delete = try await world.push(
            world.bob, "rb", Sample.annotationVersion(note, ["ra": 1, "rb": 2], deleted: true))

        #expect(makePrivate.code == .forbidden)
        #expect(delete.code == .forbidden)
        let held = try await world.fixture.store.record(user: world.alice, type: .annotation, id: note.id.rawValue)
        #expect(held.map(\.version) == [vector(["ra": 1])])
    }

    @Test(arguments: StoreKind.available)
    func nonAuthorMayNotReplaceAPrivateVersion(_ kind: StoreKind) async throws {
        // Given alice's annotation, made private after bob saw it shared
        let world = try await World(kind)
        let note = try Sample.annotation()
        _ = try await world.push(world.alice, "ra", Sample.annotationVersion(note, ["ra": 1]))
        var hidden = note
        hidden.visibility = .private
        _ = try await world.push(world.alice, "ra", Sample.annotationVersion(hidden, ["ra": 2]))

        // When bob pushes a shared version that has seen the private one
        let result = try await world.push(world.bob, "rb", Sample.annotationVersion(note, ["ra": 2, "rb": 1]))

        // Then it is refused (bob could read it before: he is told why) and alice's private version stays
        #expect(result.status == .rejected)
        #expect(result.code == .forbidden)
        let held = try await world.fixture.store.record(user: world.alice, type: .annotation, id: note.id.rawValue)
        #expect(held.map(\.version) == [vector(["ra": 2])])
    }

    @Test(arguments: StoreKind.available)
    func authorMayDeleteAndTheTombstoneIsHeld(_ kind: StoreKind) async throws {
        let world = try await World(kind)
        let note = try Sample.annotation()
        _ = try await world.push(world.alice, "ra", Sample.annotationVersion(note, ["ra": 1]))

        let result = try await world.push(world.alice, "ra", Sample.annotationVersion(note, ["ra": 2], deleted: true))

        #expect(result.status == .applied)
        let held = try await world.fixture.store.record(user: world.bob, type: .annotation, id: note.id.rawValue)
        #expect(held.map(\.deleted) == [true])
    }
}
