import NKProtocol
import NKTestTraits
import Testing

@testable import NKClient

@Suite(.tags(.unit)) struct ReplicaConflictTests {
    let id = Fixtures.annotation().id.rawValue

    /// A replica whose annotation has two siblings: Alice's {x:2} tagged "a" and Bob's {y:1} tagged "b".
    func conflicted(_ folder: ScratchFolder, user: String = "alice") throws -> Replica {
        let replica = try Fixtures.replica(user: user, replica: "rep-\(user)", in: folder)
        try replica.applyRemote(
            RecordVersion(
                version: Fixtures.vector(["y": 1]), editor: "bob",
                body: .annotation(Fixtures.annotation(note: "Bob's", tags: ["b"]))),
            RecordVersion(
                version: Fixtures.vector(["x": 2]), editor: "alice",
                body: .annotation(Fixtures.annotation(note: "Alice's", tags: ["a"]))))
        return replica
    }

    @Test func conflictsListSiblingsInCanonicalVectorOrder() throws {
        let folder = try ScratchFolder()
        let replica = try conflicted(folder)
        let conflicts = try replica.conflicts()
        let conflict = try #require(conflicts.first)
        #expect(conflicts.count == 1 && conflict.id == id && conflict.type == .annotation)
        #expect(conflict.versions.map(\.note) == ["Alice's", "Bob's"])
        #expect(conflict.versions.map(\.editor) == ["alice", "bob"])
        #expect(try replica.notes().map(\.conflict) == [true])
        #expect(try replica.status().conflicts == 1)
    }

    @Test func resolveByPickKeepsThatSiblingWithAVectorThatHasSeenAll() throws {
        let folder = try ScratchFolder()
        let replica = try conflicted(folder)
        let vector = try replica.resolve(id, .pick(1))
        #expect(vector == Fixtures.vector(["x": 2, "y": 1, "rep-alice": 1]))
        let note = try #require(replica.notes().first)
        #expect(note.note == "Bob's" && note.tags == ["b"] && !note.conflict)
        #expect(try replica.conflicts().isEmpty && replica.status().pending == 1)
    }

    @Test func resolveByNoteWithoutTagsTakesTheUnionOfTags() throws {
        let folder = try ScratchFolder()
        let replica = try conflicted(folder)
        try replica.resolve(id, .write(note: "Both", tags: nil))
        let note = try #require(replica.notes().first)
        #expect(note.note == "Both" && note.tags == ["a", "b"])
    }

    @Test func resolveByNoteWithTagsUsesThoseTags() throws {
        let folder = try ScratchFolder()
        let replica = try conflicted(folder)
        try replica.resolve(id, .write(note: "Both", tags: ["z"]))
        #expect(try replica.notes().first?.tags == ["z"])
    }

    @Test func resolveRefusesABadPickOrARecordNotInConflict() throws {
        let folder = try ScratchFolder()
        let replica = try conflicted(folder)
        #expect { try replica.resolve(id, .pick(2)) } throws: { ($0 as? ClientError)?.code == .invalidInput }
        try replica.resolve(id, .pick(0))
        #expect { try replica.resolve(id, .pick(0)) } throws: { ($0 as? ClientError)?.code == .notInConflict }
    }

    @Test func anEditConcurrentWithADeleteIsAConflictThatPickCanSettle() throws {
        let folder = try ScratchFolder()
        let replica = try Fixtures.replica(in: folder)
        let tombstone = RecordVersion(
            version: Fixtures.vector(["x": 2]), deleted: true, editor: "alice", body: .annotation(Fixtures.annotation())
        )
        let edit = RecordVersion(
            version: Fixtures.vector(["x": 1, "y": 1]), editor: "bob",
            body: .annotation(Fixtures.annotation(note: "still needed")))
        #expect(try replica.applyRemote(tombstone, edit) == [.applied, .conflict])
        // The live sibling is the one shown.
        #expect(try replica.notes().map(\.note) == ["still needed"])
        let versions = try #require(replica.conflicts().first).versions
        let keep = try #require(versions.firstIndex { !$0.deleted })
        try replica.resolve(id, .pick(keep))
        #expect(try replica.notes().map(\.note) == ["still needed"])
        #expect(try replica.held(id).count == 1)
    }

    @Test func pickingATombstoneOfSomeoneElsesNoteIsRefused() throws {
        let folder = try ScratchFolder()
        let replica = try Fixtures.replica(user: "carol", replica: "rep-carol", in: folder)
        try replica.applyRemote(
            RecordVersion(version: Fixtures.vector(["x": 2]), deleted: true, body: .annotation(Fixtures.annotation())),
            RecordVersion(version: Fixtures.vector(["y": 1]), body: .annotation(Fixtures.annotation(note: "kept"))))
        let versions = try #require(replica.conflicts().first).versions
        let tombstone = try #require(versions.firstIndex { $0.deleted })
        #expect { try replica.resolve(id, .pick(tombstone)) } throws: { ($0 as? ClientError)?.code == .notAllowed }
    }
}
