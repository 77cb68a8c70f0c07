import Foundation
import NKProtocol
import NKTestTraits
import Testing

/// The three-way merge of a changed dump with a correction, the word diff, and the import rule.
@Suite(.tags(.unit)) struct ThreeWayMergeTests {
    let base = ["One.", "Two.", "Three.", "Four."]

    @Test func changesToDifferentParagraphsMerge() {
        let ours = ["One.", "Two (corrected).", "Three.", "Four."]
        let theirs = ["One.", "Two.", "Three.", "Four (updated)."]
        #expect(
            ThreeWayMerge.merge(base: base, ours: ours, theirs: theirs)
                == ["One.", "Two (corrected).", "Three.", "Four (updated)."])
        // Neighbouring paragraphs are different paragraphs.
        let next = ["One.", "Two.", "Three (updated).", "Four."]
        #expect(
            ThreeWayMerge.merge(base: base, ours: ours, theirs: next)
                == ["One.", "Two (corrected).", "Three (updated).", "Four."])
        // An added paragraph away from the correction, and a removed one.
        let added = ["Zero.", "One.", "Two.", "Three.", "Four."]
        #expect(
            ThreeWayMerge.merge(base: base, ours: ours, theirs: added)
                == ["Zero.", "One.", "Two (corrected).", "Three.", "Four."])
        let removed = ["One.", "Two.", "Three."]
        #expect(ThreeWayMerge.merge(base: base, ours: ours, theirs: removed) == ["One.", "Two (corrected).", "Three."])
    }

    @Test func changesToTheSameParagraphDoNotMergeUnlessTheyAreTheSame() {
        let ours = ["One.", "Two (corrected).", "Three.", "Four."]
        let theirs = ["One.", "Two (updated).", "Three.", "Four."]
        #expect(ThreeWayMerge.merge(base: base, ours: ours, theirs: theirs) == nil)
        #expect(ThreeWayMerge.merge(base: base, ours: ours, theirs: ours) == ours)
        // Removing a paragraph the other side corrected overlaps it.
        let removed = ["One.", "Three.", "Four."]
        #expect(ThreeWayMerge.merge(base: base, ours: ours, theirs: removed) == nil)
        // Two insertions at the same place overlap.
        let a = ["One.", "New A.", "Two.", "Three.", "Four."]
        let b = ["One.", "New B.", "Two.", "Three.", "Four."]
        #expect(ThreeWayMerge.merge(base: base, ours: a, theirs: b) == nil)
        // One side unchanged takes the other.
        #expect(ThreeWayMerge.merge(base: base, ours: base, theirs: b) == b)
    }

    @Test func postsMergeFieldByFieldAndEveryFieldIsMerged() throws {
        let basePost = Post(title: "T", body: base, category: "C", source: "Reuters")
        var ours = basePost
        ours.body[1] = "Two (corrected)."
        var theirs = basePost
        theirs.source = "AP"
        theirs.body[3] = "Four (updated)."
        let merged = try #require(Post.merge(base: basePost, ours: ours, theirs: theirs))
        #expect(merged.source == "AP")
        #expect(merged.body == ["One.", "Two (corrected).", "Three.", "Four (updated)."])
        var clash = ours
        clash.source = "NY Times"
        #expect(Post.merge(base: basePost, ours: clash, theirs: theirs) == nil)
        // A field added to Post must be merged too: the merge names every stored field.
        #expect(Mirror(reflecting: basePost).children.count == 11)
    }

    @Test func aWordDiffMarksRemovedAndAddedWords() {
        let diff = WordDiff(
            from: "The talks were held in Beijing on Monday.", to: "The talks were held in Pyongyang on Monday.")
        #expect(diff.plain() == "The talks were held in [-Beijing-] {+Pyongyang+} on Monday.")
        #expect(!diff.isEmpty)
        #expect(WordDiff(from: "a  b\nc", to: "a b c").isEmpty)
        let long = WordDiff(
            from: "one two three four five six seven eight nine ten",
            to: "one two three four five six seven eight nine TEN")
        #expect(long.plain(context: 2) == "… eight nine [-ten-] {+TEN+}")
        #expect(
            WordDiff(from: "First.\n\nSecond.", to: "First.\n\nThird.").plain() == "First. ¶ [-Second.-] {+Third.+}")
    }

    // MARK: The import rule

    let server = ReplicaID("server")
    let alice = ReplicaID("alice")

    func version(_ counters: [String: UInt64], _ post: Post, editor: String? = nil) -> RecordVersion {
        RecordVersion(
            version: VersionVector(Dictionary(uniqueKeysWithValues: counters.map { (ReplicaID($0.key), $0.value) })),
            editor: editor, body: .post(post))
    }

    @Test func theImportComparesTheDumpWithTheLastImportedVersion() throws {
        let original = Post(title: "T", body: base, category: "C", source: "Reuters")
        let imported = version(["server": 1], original)
        var corrected = original
        corrected.body[1] = "Two (corrected)."
        let correction = version(["server": 1, "alice": 1], corrected, editor: "alice")

        // Nothing held: new.
        #expect(original.importPlan(held: [], base: nil, by: server) { _ in true }.outcome == .new)
        // The same dump again: unchanged, though the post was corrected since.
        let again = original.importPlan(held: [correction], base: imported, by: server) { $0.editor == nil }
        #expect(again.outcome == .unchanged && again.writes.isEmpty)
        // A changed dump, nobody corrected the post: updated, replacing the imported version.
        var updated = original
        updated.body[3] = "Four (updated)."
        let plain = updated.importPlan(held: [imported], base: imported, by: server) { $0.editor == nil }
        #expect(plain.outcome == .updated)
        #expect(plain.writes.map(\.version) == [VersionVector([server: 2])])

        // A changed dump over the correction, in another paragraph: the dump's version, concurrent
        // with the correction, and a merge that dominates both.
        let merge = updated.importPlan(held: [correction], base: imported, by: server) { $0.editor == nil }
        #expect(merge.outcome == .merged)
        #expect(merge.writes.count == 2)
        let (dump, merged) = (merge.writes[0], merge.writes[1])
        #expect(dump.version.compare(correction.version) == .concurrent)
        #expect(merged.version.dominates(dump.version) && merged.version.dominates(correction.version))
        #expect(
            merged.body
                == .post(
                    Post(
                        title: "T", body: ["One.", "Two (corrected).", "Three.", "Four (updated)."], category: "C",
                        source: "Reuters")))
        #expect(merge.base == dump.version)

        // In the corrected paragraph: the dump's version stands beside the correction.
        var clashing = original
        clashing.body[1] = "Two (updated)."
        let conflict = clashing.importPlan(held: [correction], base: imported, by: server) { $0.editor == nil }
        #expect(conflict.outcome == .conflict)
        #expect(conflict.writes.count == 1 && conflict.writes[0].version.compare(correction.version) == .concurrent)
    }

    @Test func withoutARecordedBaseACorrectionIsNeverOverwritten() {
        let original = Post(title: "T", body: base, category: "C")
        var corrected = original
        corrected.body[0] = "One (corrected)."
        let correction = version(["server": 1, "alice": 1], corrected, editor: "alice")
        // The dump as it was: it matches no current version, and a researcher wrote the current one.
        let plan = original.importPlan(held: [correction], base: nil, by: server) { $0.editor == nil }
        #expect(plan.outcome == .conflict)
        #expect(plan.writes[0].version.compare(correction.version) == .concurrent)
        // Only imports held: replaced as before.
        let imported = version(["server": 1], corrected)
        #expect(original.importPlan(held: [imported], base: nil, by: server) { $0.editor == nil }.outcome == .updated)
        // The dump equals the current version: unchanged, and that version becomes the base.
        let same = corrected.importPlan(held: [correction], base: nil, by: server) { $0.editor == nil }
        #expect(same.outcome == .unchanged && same.base == correction.version)
    }

    @Test func historyIsChronologicalAndNamesBothParentsOfAMerge() {
        let post = Post(title: "T", body: ["x"], category: "C")
        func entry(_ counters: [String: UInt64]) -> HistoryEntry {
            HistoryEntry(record: version(counters, post), current: false, storedAt: nil)
        }
        let first = entry(["server": 1])
        let correction = entry(["server": 1, "alice": 1])
        let dump = entry(["server": 2])
        let merge = entry(["server": 3, "alice": 1])
        let all = [merge, dump, correction, first].sorted(by: HistoryEntry.chronological)
        #expect(all.first == first && all.last == merge)
        #expect(
            Set(HistoryEntry.parents(of: merge, in: all).map(\.record.version)) == [
                dump.record.version, correction.record.version,
            ])
        #expect(HistoryEntry.parents(of: correction, in: all) == [first])
        #expect(HistoryEntry.parents(of: first, in: all).isEmpty)
    }
}
