import Foundation
import GRDB
import NKProtocol
import NKTestSupport
import NKTestTraits
import Testing

@testable import NKServer

/// `hidden` entries go only to users who could have held the record: those who could read an
/// earlier version, or were removed from its group (issue 13).
@Suite("Store: former readers", .tags(.unit, .postgres))
struct StoreFormerReaderTests {
    /// The sample post; alice and bob in `team`, carol and alice in `desk`; dave joins later.
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
            try await fixture.store.addGroup(name: "desk")
            for (group, user) in [("team", "alice"), ("team", "bob"), ("desk", "alice"), ("desk", "carol")] {
                try await fixture.store.addMember(group: group, user: user)
            }
        }

        /// Alice's note with this visibility and note, at ra:`counter`.
        func write(_ note: Annotation, _ visibility: Visibility, _ counter: UInt64) async throws {
            var version = note
            version.visibility = visibility
            version.note = "\(visibility.rawValue) at \(counter)"
            let result = try await store.push(
                user: alice, replica: ReplicaID("ra"), versions: [Sample.annotationVersion(version, ["ra": counter])])
            #expect(result.map(\.status) == [.applied])
        }

        /// What `user` pulls of `note` after `since`: "record ra:N", "hidden ra:N", or nothing.
        func seen(by user: AuthenticatedUser, _ note: Annotation, since: Int64 = 0) async throws -> [String] {
            let page = try await store.changes(user: user, since: since, limit: 1000)
            let json = try Wire.makeDecoder().decode(
                PullResponse.self, from: try await store.changesJSON(user: user, since: since, limit: 1000))
            #expect(json == page)
            return page.changes.compactMap { change in
                if let record = change.record, record.id == note.id.rawValue {
                    return "record \(record.version.canonical)"
                }
                if let hidden = change.hidden, hidden.id == note.id.rawValue {
                    return "hidden \(hidden.version.canonical)"
                }
                return nil
            }
        }
    }

    @Test(arguments: StoreKind.available)
    func aNoteMadePrivateIsHiddenFromThoseWhoCouldReadIt(_ kind: StoreKind) async throws {
        let world = try await World(kind)
        let note = try Sample.annotation()
        try await world.write(note, .shared, 1)
        try await world.write(note, .private, 2)
        let dave = try await world.fixture.user("dave").user
        try await world.write(note, .private, 3)

        // bob and carol could read it shared: hidden, at its newest version, even pulling late
        #expect(try await world.seen(by: world.bob, note) == ["hidden ra:3"])
        #expect(try await world.seen(by: world.carol, note) == ["hidden ra:3"])
        #expect(try await world.seen(by: world.alice, note) == ["record ra:3"])
        // dave's account is newer than the shared version: nothing
        #expect(try await world.seen(by: dave, note) == [])
    }

    @Test(arguments: StoreKind.available)
    func aGroupNoteMadePrivateOrMovedIsHiddenFromItsFormerMembersOnly(_ kind: StoreKind) async throws {
        let world = try await World(kind)
        let moved = try Sample.annotation()
        let narrowed = try Sample.annotation()
        try await world.write(moved, .group("team"), 1)
        try await world.write(narrowed, .group("team"), 1)
        #expect(try await world.seen(by: world.carol, moved) == [])

        try await world.write(moved, .group("desk"), 2)
        try await world.write(narrowed, .private, 2)

        #expect(try await world.seen(by: world.bob, moved) == ["hidden ra:2"])
        #expect(try await world.seen(by: world.carol, moved) == ["record ra:2"])
        #expect(try await world.seen(by: world.bob, narrowed) == ["hidden ra:2"])
        #expect(try await world.seen(by: world.carol, narrowed) == [])
    }

    @Test(arguments: StoreKind.available)
    func aRemovedMemberGetsTheNewestVersionHidden(_ kind: StoreKind) async throws {
        let world = try await World(kind)
        let note = try Sample.annotation()
        try await world.write(note, .group("team"), 1)
        let bobsCursor = try await world.store.changes(user: world.bob, since: 0, limit: 1000).next

        try await world.store.removeMember(group: "team", user: "bob")
        try await world.write(note, .group("team"), 2)

        #expect(try await world.seen(by: world.bob, note, since: bobsCursor) == ["hidden ra:2"])
        #expect(try await world.seen(by: world.carol, note) == [])
        // And bob's push is refused as the honest `forbidden`: he knows the note
        var edit = note
        edit.visibility = .group("team")
        let pushed = try await world.store.push(
            user: world.bob, replica: ReplicaID("rb"), versions: [Sample.annotationVersion(edit, ["ra": 2, "rb": 1])])
        #expect(pushed.map(\.code) == [.forbidden])
        // Rejoining brings it back as a record
        try await world.store.addMember(group: "team", user: "bob")
        #expect(try await world.seen(by: world.bob, note, since: bobsCursor) == ["record ra:2"])
    }

    /// Versions stored before the server kept former readers are hidden from everyone who cannot
    /// read them, as before, and their successors too; a push to one is the honest `forbidden`.
    @Test(arguments: StoreKind.available)
    func versionsFromBeforeTheListAreHiddenFromEveryoneWhoCannotReadThem(_ kind: StoreKind) async throws {
        let world = try await World(kind)
        let note = try Sample.annotation()
        try await world.write(note, .private, 1)
        try await Self.forgetFormerReaders(world.fixture)
        try await world.write(note, .private, 2)

        #expect(try await world.seen(by: world.carol, note) == ["hidden ra:2"])
        let pushed = try await world.store.push(
            user: world.carol, replica: ReplicaID("rc"), versions: [Sample.annotationVersion(note, ["rc": 1])])
        #expect(pushed.map(\.code) == [.forbidden])
    }

    /// Sets every version's former readers to NULL, as the migration leaves the rows it finds.
    static func forgetFormerReaders(_ fixture: StoreFixture) async throws {
        switch fixture.kind {
        case .sqlite:
            let store = try #require(fixture.store as? SQLiteStore)
            try await store.pool.write { db in try db.execute(sql: "UPDATE versions SET formerReaders = NULL") }
        case .postgres:
            let url = try #require(fixture.postgresURL)
            _ = try await TestPostgres.query(url, "UPDATE nk_versions SET former_readers = NULL")
        }
    }

    /// `nkserver migrate` carries the former readers.
    @Test(arguments: StoreKind.available)
    func movingAStoreKeepsTheFormerReaders(_ kind: StoreKind) async throws {
        let world = try await World(kind)
        let note = try Sample.annotation()
        try await world.write(note, .shared, 1)
        try await world.write(note, .private, 2)
        let contents = try await world.store.exportContents()
        let destination = try await StoreFixture(kind == .sqlite && TestPostgres.isAvailable ? .postgres : .sqlite)

        try await destination.store.importContents(contents)

        let moved = try await destination.openAgain().exportContents()
        #expect(moved.checksum == contents.checksum)
        #expect(moved.versions.last?.formerReaders == #"["bob","carol"]"#)
    }
}
