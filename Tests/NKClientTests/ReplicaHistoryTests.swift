import Foundation
import NKProtocol
import NKTestTraits
import Testing

@testable import NKClient

/// History, restore and the trash on one replica, offline; post conflicts settled; the replica's
/// import against its import base.
@Suite(.tags(.unit)) struct ReplicaHistoryTests {
    func note(_ entry: HistoryEntry) -> String? {
        if case .annotation(let annotation) = entry.record.body { return annotation.note }
        return nil
    }

    @Test func theReplicaKeepsEveryVersionItHeldAndRestoresOne() throws {
        let folder = try ScratchFolder()
        let replica = try Fixtures.replica(in: folder)
        let id = try replica.annotate(post: Fixtures.post.id.rawValue, quote: "hard currency", note: "First.")
        try replica.edit(id.rawValue, note: "Second.")
        try replica.edit(id.rawValue, note: "")
        let record = try replica.recordRef(String(id.rawValue.prefix(8)))
        #expect(record == RecordRef(type: .annotation, id: id.rawValue))

        let history = try replica.history(record)
        #expect(!history.includesServer)
        #expect(history.versions.map(note) == ["First.", "Second.", ""])
        #expect(history.versions.map(\.current) == [false, false, true])

        try replica.restore(record, from: history.versions[0])
        let after = try replica.history(record)
        #expect(after.versions.map(note) == ["First.", "Second.", "", "First."])
        #expect(try replica.notes().first?.note == "First.")
        // Restoring a note that is not deleted needs a version.
        #expect { try replica.restore(record, from: nil) } throws: { ($0 as? ClientError)?.code == .invalidInput }
    }

    @Test func theTrashListsDeletedNotesAndOnlyTheAuthorRestoresOne() throws {
        let folder = try ScratchFolder()
        let replica = try Fixtures.replica(in: folder)
        let mine = try replica.annotate(post: Fixtures.post.id.rawValue, quote: "hard currency", note: "Mine.")
        try replica.delete(mine.rawValue)
        // Bob's note, deleted by bob, as pulled.
        let bobs = Fixtures.annotation(
            id: AnnotationID("6f1c2a3b-0000-4000-8000-000000000002"), note: "Bob's.", author: "bob")
        try replica.applyRemote(
            RecordVersion(version: Fixtures.vector(["rb": 1]), editor: "bob", body: .annotation(bobs)),
            RecordVersion(version: Fixtures.vector(["rb": 2]), deleted: true, editor: "bob", body: .annotation(bobs)))

        #expect(Set(try replica.trash().map(\.id)) == [mine, bobs.id])
        #expect(try replica.notes().isEmpty)
        let refused = #expect(throws: ClientError.self) {
            try replica.restore(RecordRef(type: .annotation, id: bobs.id.rawValue), from: nil)
        }
        #expect(refused?.code == .notAllowed && refused?.message.contains("only the author (bob)") == true)
        try replica.restore(RecordRef(type: .annotation, id: mine.rawValue), from: nil)
        #expect(try replica.trash().map(\.id) == [bobs.id])
        #expect(try replica.notes().map(\.note) == ["Mine."])
    }

    @Test func aPostConflictIsShownMarkedAndSettledByTextOrPick() throws {
        let folder = try ScratchFolder()
        let replica = try Fixtures.replica(in: folder)
        var ours = Fixtures.post
        ours.body[0] = "Plants stood idle after the third round of sanctions hit exports."
        var theirs = Fixtures.post
        theirs.body[0] = "Plants stood empty after the latest round of sanctions hit exports."
        try replica.applyRemote(
            RecordVersion(version: Fixtures.vector(["server": 1, "ra": 1]), editor: "alice", body: .post(ours)),
            RecordVersion(version: Fixtures.vector(["server": 1, "rb": 1]), editor: "bob", body: .post(theirs)))
        let id = Fixtures.post.id.rawValue
        #expect(try replica.post(id).conflict == PostConflict(versions: 2, shown: 0))
        #expect(throws: ClientError.self) { try replica.postDump(id) }

        // Shared paragraphs appear once; the differing one is marked with both versions
        let marked = try replica.conflictText(id).text
        #expect(
            marked.contains(
                "<<<<<<< version 0 (alice)\n\n\(ours.body[0])\n\n=======\n\n\(theirs.body[0])\n\n>>>>>>> version 1 (bob)"
            ))
        #expect(marked.components(separatedBy: Fixtures.post.body[1]).count == 2)
        let left = #expect(throws: ClientError.self) { try replica.resolvePost(id, text: marked) }
        #expect(left?.message.contains("conflict marker") == true)
        #expect(try replica.held(id, type: .post).count == 2)

        // Settled by a text with both changes
        let both = marked.replacingOccurrences(
            of:
                "<<<<<<< version 0 (alice)\n\n\(ours.body[0])\n\n=======\n\n\(theirs.body[0])\n\n>>>>>>> version 1 (bob)",
            with: "Plants stood empty after the third round of sanctions hit exports.")
        try replica.resolvePost(id, text: both)
        let settled = try replica.held(id, type: .post)
        #expect(settled.count == 1 && settled[0].pending)
        #expect(
            try replica.post(id).post.body[0] == "Plants stood empty after the third round of sanctions hit exports.")
        #expect(try replica.post(id).conflict == nil)
        #expect(throws: ClientError.self) { try replica.resolvePost(id, pick: 0) }
    }

    @Test func theReplicasImportMergesWithItsOwnCorrectionOrKeepsIt() throws {
        let folder = try ScratchFolder()
        let replica = try Fixtures.replica(in: folder, posts: [])
        var post = Fixtures.post
        post.body.append("A third paragraph.")
        #expect(try replica.importPosts([post]) == ImportSummary(new: 1))
        // Corrected here, in the first paragraph
        var corrected = post
        corrected.body[0] = "Plants stood idle after the third round of sanctions hit exports."
        #expect(try replica.editPost(post.id.rawValue, text: PostDump.text(of: corrected)) != .unchanged)
        // The same dump again: the correction stays
        #expect(try replica.importPosts([post]) == ImportSummary(unchanged: 1))
        #expect(try replica.post(post.id.rawValue).post.body[0] == corrected.body[0])
        // A dump that changes the last paragraph: merged
        var changed = post
        changed.body[2] = "A third paragraph, updated."
        #expect(try replica.importPosts([changed]) == ImportSummary(merged: 1))
        let merged = try replica.post(post.id.rawValue).post
        #expect(merged.body == [corrected.body[0], post.body[1], "A third paragraph, updated."])
        #expect(try replica.held(post.id.rawValue, type: .post).count == 1)
        // A dump that changes the corrected paragraph: nothing written, the correction stays
        var clash = changed
        clash.body[0] = "Plants stood silent."
        #expect(try replica.importPosts([clash]) == ImportSummary(conflicts: 1))
        #expect(try replica.post(post.id.rawValue).post.body == merged.body)
    }
}
