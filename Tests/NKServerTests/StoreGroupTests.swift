import Foundation
import NKProtocol
import NKTestTraits
import Testing

@testable import NKServer

@Suite("Store: groups, visibility and re-announce", .tags(.unit, .postgres))
struct StoreGroupTests {
    /// The sample post; alice and bob in group `team`, carol outside it.
    struct World {
        let fixture: StoreFixture
        let alice: AuthenticatedUser
        let bob: AuthenticatedUser
        let carol: AuthenticatedUser
        var store: any ServerStore { fixture.store }

        init(_ kind: StoreKind) async throws {
            fixture = try await StoreFixture(kind)
            _ = try await fixture.store.importPosts([Sample.post])
            alice = try await fixture.user("alice").user
            bob = try await fixture.user("bob").user
            carol = try await fixture.user("carol").user
            try await fixture.store.addGroup(name: "team")
            try await fixture.store.addMember(group: "team", user: "alice")
            try await fixture.store.addMember(group: "team", user: "bob")
        }

        func push(_ user: AuthenticatedUser, _ replica: String, _ version: RecordVersion) async throws -> PushItemResult
        {
            try #require(try await store.push(user: user, replica: ReplicaID(replica), versions: [version]).first)
        }

        /// Alice's note for the team, pushed as version ra:1.
        func teamNote() async throws -> Annotation {
            let note = try Sample.annotation(note: "For the team only.", visibility: .group("team"))
            let result = try await push(alice, "ra", Sample.annotationVersion(note, ["ra": 1]))
            #expect(result.status == .applied)
            return note
        }
    }

    @Test(arguments: StoreKind.available)
    func groupNoteIsReadByMembersAndHiddenFromOthers(_ kind: StoreKind) async throws {
        let world = try await World(kind)
        let note = try await world.teamNote()

        let forBob = try await world.store.changes(user: world.bob, since: 0, limit: 100)
        let forCarol = try await world.store.changes(user: world.carol, since: 0, limit: 100)

        #expect(forBob.changes.last?.record?.id == note.id.rawValue)
        #expect(!forCarol.changes.contains { $0.record?.id == note.id.rawValue || $0.hidden != nil })
        #expect(forCarol.next == forBob.next)
        #expect(try await world.store.record(user: world.bob, type: .annotation, id: note.id.rawValue).count == 1)
        let error = await #expect(throws: ServerError.self) {
            try await world.store.record(user: world.carol, type: .annotation, id: note.id.rawValue)
        }
        #expect(error?.code == .notFound)
    }

    @Test(arguments: StoreKind.available)
    func membershipChangesReannounceTheGroupsNotes(_ kind: StoreKind) async throws {
        // Given carol has pulled everything while outside the group
        let world = try await World(kind)
        let note = try await world.teamNote()
        let first = try await world.store.changes(user: world.carol, since: 0, limit: 100)
        let oldSeq = try #require(first.changes.last?.seq)

        // When she is added, then removed
        let added = try await world.store.addMember(group: "team", user: "carol")
        let afterAdd = try await world.store.changes(user: world.carol, since: first.next, limit: 100)
        let removed = try await world.store.removeMember(group: "team", user: "carol")
        let afterRemove = try await world.store.changes(user: world.carol, since: afterAdd.next, limit: 100)

        // Then the note arrives with a new sequence number, and later goes again as hidden
        #expect(added == 1)
        #expect(removed == 1)
        #expect(afterAdd.changes.map { $0.record?.id } == [note.id.rawValue])
        #expect(afterAdd.changes[0].seq > oldSeq)
        #expect(afterRemove.changes.map { $0.hidden?.id } == [note.id.rawValue])
        #expect(afterRemove.changes[0].seq > afterAdd.changes[0].seq)
        // The old numbers are gone: a pull from 0 holds each current version once.
        let all = try await world.store.changes(user: world.alice, since: 0, limit: 100)
        #expect(all.changes.count == 2)
        #expect(all.changes.map(\.seq) == all.changes.map(\.seq).sorted())
    }

    @Test(arguments: StoreKind.available)
    func onlyMembersMayWriteForAGroupAndTheGroupMustExist(_ kind: StoreKind) async throws {
        let world = try await World(kind)
        let forTeam = try Sample.annotation(visibility: .group("team"))
        let forNobody = try Sample.annotation(visibility: .group("nobody"))

        let carol = try await world.push(world.carol, "rc", Sample.annotationVersion(forTeam, ["rc": 1]))
        let unknown = try await world.push(world.alice, "ra", Sample.annotationVersion(forNobody, ["ra": 1]))
        let bob = try await world.push(world.bob, "rb", Sample.annotationVersion(forTeam, ["rb": 1]))

        #expect(carol.status == .rejected)
        #expect(carol.code == .forbidden)
        #expect(unknown.code == .unknownGroup)
        #expect(bob.status == .applied)
    }

    @Test(arguments: StoreKind.available)
    func membersMayEditButOnlyTheAuthorDeletesOrChangesVisibility(_ kind: StoreKind) async throws {
        let world = try await World(kind)
        let note = try await world.teamNote()
        var edit = note
        edit.note = "Bob adds a source."
        var widened = note
        widened.visibility = .shared

        let carolEdit = try await world.push(world.carol, "rc", Sample.annotationVersion(edit, ["ra": 1, "rc": 1]))
        let bobWiden = try await world.push(world.bob, "rb", Sample.annotationVersion(widened, ["ra": 1, "rb": 1]))
        let bobDelete = try await world.push(
            world.bob, "rb", Sample.annotationVersion(note, ["ra": 1, "rb": 2], deleted: true))
        let bobEdit = try await world.push(world.bob, "rb", Sample.annotationVersion(edit, ["ra": 1, "rb": 3]))
        var aliceWidened = edit
        aliceWidened.visibility = .shared
        let aliceWiden = try await world.push(
            world.alice, "ra", Sample.annotationVersion(aliceWidened, ["ra": 2, "rb": 3]))

        // carol never could read the note: answered as for a new note of a group she is not in
        #expect(carolEdit.code == .forbidden)
        #expect(carolEdit.message?.contains("not a member of group 'team'") == true)
        #expect(bobWiden.code == .forbidden)
        #expect(bobDelete.code == .forbidden)
        #expect(bobEdit.status == .applied)
        #expect(aliceWiden.status == .applied)
        let held = try await world.store.record(user: world.carol, type: .annotation, id: note.id.rawValue)
        guard case .annotation(let stored) = held.first?.body else {
            Issue.record("carol cannot read the shared note")
            return
        }
        #expect(stored.note == "Bob adds a source.")
        #expect(stored.author == "alice")
    }

    @Test(arguments: StoreKind.available)
    func authorAndTimestampsComeFromTheTokenAndTheServerClock(_ kind: StoreKind) async throws {
        let world = try await World(kind)
        var forged = try Sample.annotation(author: "alice")
        forged.createdAt = Date(timeIntervalSince1970: 0)
        forged.updatedAt = Date(timeIntervalSince1970: 4_000_000_000)
        let before = Date()

        _ = try await world.push(world.bob, "rb", Sample.annotationVersion(forged, ["rb": 1]))
        var edit = forged
        edit.createdAt = Date(timeIntervalSince1970: 10)
        _ = try await world.push(world.carol, "rc", Sample.annotationVersion(edit, ["rb": 1, "rc": 1]))

        let held = try await world.store.record(user: world.bob, type: .annotation, id: forged.id.rawValue)
        guard case .annotation(let stored) = held.first?.body else {
            Issue.record("no annotation held")
            return
        }
        #expect(stored.author == "bob")
        #expect(held.first?.editor == "carol")
        #expect(stored.createdAt >= before.addingTimeInterval(-1))
        #expect(stored.updatedAt >= stored.createdAt)
        #expect(stored.updatedAt <= Date().addingTimeInterval(1))
    }

    @Test(arguments: StoreKind.available)
    func authorMayNotMoveANoteIntoAGroupTheyAreNotIn(_ kind: StoreKind) async throws {
        let world = try await World(kind)
        try await world.store.addGroup(name: "other")
        let note = try Sample.annotation()
        _ = try await world.push(world.alice, "ra", Sample.annotationVersion(note, ["ra": 1]))
        var moved = note
        moved.visibility = .group("other")

        let result = try await world.push(world.alice, "ra", Sample.annotationVersion(moved, ["ra": 2]))

        #expect(result.code == .forbidden)
        #expect(result.message?.contains("'other'") == true)
    }

    @Test(arguments: StoreKind.available) func groupAdminErrors(_ kind: StoreKind) async throws {
        let world = try await World(kind)

        let duplicate = await #expect(throws: ServerError.self) { try await world.store.addGroup(name: "team") }
        let invalid = await #expect(throws: ServerError.self) { try await world.store.addGroup(name: "a b") }
        let unknownGroup = await #expect(throws: ServerError.self) {
            try await world.store.addMember(group: "nope", user: "alice")
        }
        let unknownUser = await #expect(throws: ServerError.self) {
            try await world.store.addMember(group: "team", user: "zed")
        }
        let twice = await #expect(throws: ServerError.self) {
            try await world.store.addMember(group: "team", user: "alice")
        }
        let notMember = await #expect(throws: ServerError.self) {
            try await world.store.removeMember(group: "team", user: "carol")
        }

        #expect(duplicate?.code == .groupExists)
        #expect(invalid?.code == .invalidGroupName)
        #expect(unknownGroup?.code == .unknownGroup)
        #expect(unknownUser?.code == .unknownUser)
        #expect(twice?.code == .alreadyMember)
        #expect(notMember?.code == .notMember)
        #expect(try await world.store.groups() == [GroupSummary(name: "team", members: ["alice", "bob"])])
    }

    @Test(arguments: StoreKind.available)
    func rotatingATokenRetiresTheOldOneAtOnce(_ kind: StoreKind) async throws {
        let fixture = try await StoreFixture(kind)
        let old = try await fixture.store.addUser(name: "alice")

        let new = try await fixture.store.rotateToken(name: "alice")

        #expect(new != old)
        #expect(new.count == 64)
        #expect(try await fixture.store.authenticate(token: old) == nil)
        #expect(try await fixture.store.authenticate(token: new)?.name == "alice")
        let unknown = await #expect(throws: ServerError.self) { try await fixture.store.rotateToken(name: "zed") }
        #expect(unknown?.code == .unknownUser)
    }
}
