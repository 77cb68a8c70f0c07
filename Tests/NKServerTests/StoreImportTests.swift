import Foundation
import NKProtocol
import NKTestSupport
import NKTestTraits
import Testing

@testable import NKServer

@Suite("Store: import", .tags(.unit, .postgres))
struct StoreImportTests {
    @Test(arguments: StoreKind.available)
    func reimportChangesNothingAndAChangedFileUpdates(_ kind: StoreKind) async throws {
        let fixture = try await StoreFixture(kind)
        let original = Sample.corpus(posts: [("First", "One."), ("Second", "Two.")])
        let changed = Sample.corpus(posts: [("First", "One, corrected."), ("Second", "Two.")])
        let path = fixture.folder.path("dump.txt")
        try original.write(toFile: path, atomically: true, encoding: .utf8)

        let first = try await fixture.store.importFiles([path])
        let again = try await fixture.store.importFiles([path])
        try changed.write(toFile: path, atomically: true, encoding: .utf8)
        let updated = try await fixture.store.importFiles([path])

        #expect(first == ImportSummary(new: 2, updated: 0, unchanged: 0))
        #expect(again == ImportSummary(new: 0, updated: 0, unchanged: 2))
        #expect(updated == ImportSummary(new: 0, updated: 1, unchanged: 1))
        #expect(updated.description == "2 posts (0 new / 1 updated / 0 merged / 0 in conflict / 1 unchanged)")
        let (alice, _) = try await fixture.user("alice")
        let id = PostID.derived(category: "Border Trade", title: "First").rawValue
        let held = try await fixture.store.record(user: alice, type: .post, id: id)
        let server = fixture.store.serverReplicaID
        #expect(held.map(\.version) == [VersionVector([server: 2])])
    }

    @Test(arguments: StoreKind.available)
    func importOverConflictingCorrectionsKeepsThemAndAddsItsOwnVersion(_ kind: StoreKind) async throws {
        let fixture = try await StoreFixture(kind)
        let (alice, _) = try await fixture.user("alice")
        let (bob, _) = try await fixture.user("bob")
        var edit = Sample.post
        edit.source = "Edited"
        _ = try await fixture.store.push(
            user: alice, replica: ReplicaID("ra"), versions: [Sample.postVersion(["ra": 1], post: edit)])
        _ = try await fixture.store.push(user: bob, replica: ReplicaID("rb"), versions: [Sample.postVersion(["rb": 1])])

        let summary = try await fixture.store.importPosts([Sample.post])

        // The original content is one of the siblings: unchanged.
        #expect(summary == ImportSummary(unchanged: 1))
        var other = Sample.post
        other.source = "Third"
        // A dump that changes the source, which alice corrected too: her version stays, and the
        // dump's version (made from the one it matched) stands beside it.
        let second = try await fixture.store.importPosts([other])
        #expect(second == ImportSummary(conflicts: 1))
        let held = try await fixture.store.record(user: alice, type: .post, id: Sample.post.id.rawValue)
        #expect(
            Set(held.map(\.version)) == [
                VersionVector([ReplicaID("ra"): 1]),
                VersionVector([ReplicaID("rb"): 1, fixture.store.serverReplicaID: 1]),
            ])
    }

    @Test(arguments: StoreKind.available)
    func aBadFileImportsNothingAndNamesFileAndLine(_ kind: StoreKind) async throws {
        let fixture = try await StoreFixture(kind)
        let good = fixture.folder.path("good.txt")
        let bad = fixture.folder.path("bad.txt")
        try Sample.corpus(posts: [("First", "One.")]).write(toFile: good, atomically: true, encoding: .utf8)
        try "Category: X\n\nA title without a posted line\n".write(toFile: bad, atomically: true, encoding: .utf8)

        let error = await #expect(throws: ServerError.self) {
            try await fixture.store.importFiles([good, bad])
        }

        #expect(error?.code == .invalidCorpus)
        #expect(error?.message.hasPrefix("\(bad): line ") == true)
        let (alice, _) = try await fixture.user("alice")
        let page = try await fixture.store.changes(user: alice, since: 0, limit: 10)
        #expect(page.changes.isEmpty)
    }

    @Test(arguments: StoreKind.available) func aMissingFileIsUnreadable(_ kind: StoreKind) async throws {
        let fixture = try await StoreFixture(kind)

        let error = await #expect(throws: ServerError.self) {
            try await fixture.store.importFiles([fixture.folder.path("missing.txt")])
        }

        #expect(error?.code == .unreadableFile)
    }

    /// A file that is there but is not UTF-8 is bad input (exit 65), not a missing one (66).
    @Test(arguments: StoreKind.available) func aFileThatIsNotUTF8IsAnInvalidCorpus(_ kind: StoreKind) async throws {
        let fixture = try await StoreFixture(kind)
        let path = fixture.folder.path("latin1.txt")
        try Data([0x43, 0x61, 0x66, 0xE9, 0x0A]).write(to: URL(fileURLWithPath: path))

        let error = await #expect(throws: ServerError.self) {
            try await fixture.store.importFiles([path])
        }

        #expect(error?.code == .invalidCorpus)
        #expect(error?.message.contains("not UTF-8") == true)
    }
}
