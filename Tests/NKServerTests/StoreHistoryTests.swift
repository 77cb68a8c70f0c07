import Foundation
import NKProtocol
import NKTestSupport
import NKTestTraits
import Testing

@testable import NKServer

/// History (every version kept, read by its own visibility), restoring deleted notes, and imports
/// that compare the dump with the last imported version, on both stores.
@Suite("Store: history", .tags(.unit, .postgres))
struct StoreHistoryTests {
    /// The sample post imported, and a note of `author`'s written (`ra:1`) then deleted (`ra:2`).
    static func writtenThenDeleted(by author: AuthenticatedUser, in fixture: StoreFixture) async throws -> Annotation {
        _ = try await fixture.store.importPosts([Sample.post])
        let note = try Sample.annotation(author: author.name)
        _ = try await fixture.store.push(
            user: author, replica: ReplicaID("ra"),
            versions: [
                Sample.annotationVersion(note, ["ra": 1]), Sample.annotationVersion(note, ["ra": 2], deleted: true),
            ])
        return note
    }

    @Test(arguments: StoreKind.available)
    func everyVersionIsKeptWithWhoWroteItAndOnlyTheCurrentOnesArePulled(_ kind: StoreKind) async throws {
        let fixture = try await StoreFixture(kind)
        let (alice, _) = try await fixture.user("alice")
        let (carol, _) = try await fixture.user("carol")
        _ = try await fixture.store.importPosts([Sample.post])
        let note = try Sample.annotation(note: "First reading.", author: "alice")
        _ = try await fixture.store.push(
            user: alice, replica: ReplicaID("ra"), versions: [Sample.annotationVersion(note, ["ra": 1])])
        var emptied = note
        emptied.note = ""
        emptied.tags = []
        let results = try await fixture.store.push(
            user: carol, replica: ReplicaID("rc"), versions: [Sample.annotationVersion(emptied, ["ra": 1, "rc": 1])])
        #expect(results.map(\.status) == [.applied])

        let history = try await fixture.store.history(user: alice, type: .annotation, id: note.id.rawValue)
        #expect(history.map(\.record.editor) == ["alice", "carol"])
        #expect(history.map(\.current) == [false, true])
        #expect(
            history.first.map { entry in
                if case .annotation(let kept) = entry.record.body {
                    return kept.note == "First reading."
                } else {
                    return false
                }
            } == true)
        // A pull still brings only the current version.
        let page = try await fixture.store.changes(user: alice, since: 0, limit: 100)
        #expect(page.changes.compactMap(\.record).filter { $0.id == note.id.rawValue }.count == 1)
        // The record endpoint is unchanged.
        #expect(try await fixture.store.record(user: alice, type: .annotation, id: note.id.rawValue).count == 1)
    }

    @Test(arguments: StoreKind.available)
    func nobodySeesAVersionTheyCouldNotSeeWhenItWasCurrent(_ kind: StoreKind) async throws {
        let fixture = try await StoreFixture(kind)
        let (alice, _) = try await fixture.user("alice")
        let (bob, _) = try await fixture.user("bob")
        _ = try await fixture.store.importPosts([Sample.post])
        // A private draft, then shared.
        let draft = try Sample.annotation(note: "My private draft.", visibility: .private, author: "alice")
        var shared = draft
        shared.visibility = .shared
        shared.note = "Ready to share."
        _ = try await fixture.store.push(
            user: alice, replica: ReplicaID("ra"),
            versions: [Sample.annotationVersion(draft, ["ra": 1])])
        _ = try await fixture.store.push(
            user: alice, replica: ReplicaID("ra"), versions: [Sample.annotationVersion(shared, ["ra": 2])])

        let hers = try await fixture.store.history(user: alice, type: .annotation, id: draft.id.rawValue)
        let his = try await fixture.store.history(user: bob, type: .annotation, id: draft.id.rawValue)
        #expect(hers.count == 2)
        #expect(his.count == 1 && his[0].current)
        // A record with nothing the user may read answers as one that does not exist.
        let secret = try Sample.annotation(note: "Never shared.", visibility: .private, author: "alice")
        _ = try await fixture.store.push(
            user: alice, replica: ReplicaID("ra"), versions: [Sample.annotationVersion(secret, ["ra": 3])])
        await #expect {
            try await fixture.store.history(user: bob, type: .annotation, id: secret.id.rawValue)
        } throws: {
            ($0 as? ServerError)?.code == .notFound
        }
    }

    @Test(arguments: StoreKind.available)
    func onlyTheAuthorRestoresADeletedNote(_ kind: StoreKind) async throws {
        let fixture = try await StoreFixture(kind)
        let (alice, _) = try await fixture.user("alice")
        let (bob, _) = try await fixture.user("bob")
        let note = try await Self.writtenThenDeleted(by: alice, in: fixture)
        // Bob pushes the note back, undeleted: refused.
        let bobs = try await fixture.store.push(
            user: bob, replica: ReplicaID("rb"), versions: [Sample.annotationVersion(note, ["ra": 2, "rb": 1])])
        #expect(bobs.map(\.status) == [.rejected])
        #expect(bobs.first?.code == .forbidden)
        // Alice may.
        let hers = try await fixture.store.push(
            user: alice, replica: ReplicaID("ra"), versions: [Sample.annotationVersion(note, ["ra": 3])])
        #expect(hers.map(\.status) == [.applied])
        let history = try await fixture.store.history(user: bob, type: .annotation, id: note.id.rawValue)
        #expect(history.map(\.record.deleted) == [false, true, false])
    }

    @Test(arguments: StoreKind.available)
    func anUnchangedDumpLeavesCorrectionsAloneAndAChangedOneMergesOrConflicts(_ kind: StoreKind) async throws {
        let fixture = try await StoreFixture(kind)
        let (alice, _) = try await fixture.user("alice")
        let server = fixture.store.serverReplicaID
        var original = Sample.post
        original.body = ["First paragraph.", "Second paragraph.", "Third paragraph."]
        #expect(try await fixture.store.importPosts([original]) == ImportSummary(new: 1))
        let id = original.id.rawValue
        // Alice corrects the second paragraph.
        var corrected = original
        corrected.body[1] = "Second paragraph, corrected."
        _ = try await fixture.store.push(
            user: alice, replica: ReplicaID("ra"),
            versions: [RecordVersion(version: VersionVector([server: 1, ReplicaID("ra"): 1]), body: .post(corrected))])

        // The same dump again: nothing changes.
        #expect(try await fixture.store.importPosts([original]) == ImportSummary(unchanged: 1))
        #expect(try await fixture.store.record(user: alice, type: .post, id: id).map(\.body) == [.post(corrected)])

        // The dump changes the third paragraph: merged with her correction.
        var changed = original
        changed.body[2] = "Third paragraph, updated."
        #expect(try await fixture.store.importPosts([changed]) == ImportSummary(merged: 1))
        let current = try await fixture.store.record(user: alice, type: .post, id: id)
        #expect(current.count == 1)
        #expect(
            current.first?.body
                == .post(
                    Post(
                        title: original.title,
                        body: ["First paragraph.", "Second paragraph, corrected.", "Third paragraph, updated."],
                        category: original.category, source: original.source)))
        let history = try await fixture.store.history(user: alice, type: .post, id: id)
        #expect(history.count == 4)
        let merge = try #require(history.last)
        #expect(Set(HistoryEntry.parents(of: merge, in: history).map(\.record.editor)) == [nil, "alice"])
        // Again: unchanged.
        #expect(try await fixture.store.importPosts([changed]) == ImportSummary(unchanged: 1))

        // The dump changes the paragraph she corrected: a conflict, both kept.
        var clash = changed
        clash.body[1] = "Second paragraph, rewritten by the publisher."
        #expect(try await fixture.store.importPosts([clash]) == ImportSummary(conflicts: 1))
        let siblings = try await fixture.store.record(user: alice, type: .post, id: id)
        #expect(siblings.count == 2)
        #expect(siblings.contains { $0.body == .post(clash) })
        #expect(siblings.contains { $0.body == current.first?.body })
    }

    @Test(arguments: StoreKind.available)
    func migrateCarriesHistoryAndImportBases(_ kind: StoreKind) async throws {
        let fixture = try await StoreFixture(kind)
        let (alice, _) = try await fixture.user("alice")
        let note = try await Self.writtenThenDeleted(by: alice, in: fixture)
        let contents = try await fixture.store.exportContents()
        #expect(contents.history.count == 1 && contents.importBases.count == 1)
        #expect(contents.counts.contains("history=1 import_bases=1"))

        let destination = try await StoreFixture(.sqlite)
        try await destination.store.importContents(contents)
        let reopened = try await destination.openAgain()
        let copied = try await reopened.exportContents()
        #expect(copied.checksum == contents.checksum)
        let users = try await reopened.users()
        #expect(users.map(\.name) == ["alice"])
    }
}
