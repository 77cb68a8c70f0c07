import NKProtocol
import NKTestTraits
import Testing

@testable import NKClient

@Suite(.tags(.unit)) struct ReplicaApplyTests {
    let id = Fixtures.annotation().id.rawValue

    func version(_ counters: [String: UInt64], note: String = "n", deleted: Bool = false) -> RecordVersion {
        RecordVersion(
            version: Fixtures.vector(counters), deleted: deleted, editor: "alice",
            body: .annotation(Fixtures.annotation(note: note)))
    }

    @Test func aRemoteVersionThatHasSeenAPendingOneReplacesIt() throws {
        let folder = try ScratchFolder()
        let replica = try Fixtures.replica(in: folder)
        try replica.applyRemote(version(["s": 1]))
        try replica.edit(id, note: "local")
        #expect(try replica.status().pending == 1)

        #expect(try replica.applyRemote(version(["s": 1, "rep-alice": 1, "t": 1], note: "newer")) == [.applied])
        #expect(try replica.status().pending == 0)
        #expect(try replica.notes().map(\.note) == ["newer"])
    }

    @Test func aRemoteVersionEqualToAPendingOneAcknowledgesIt() throws {
        let folder = try ScratchFolder()
        let replica = try Fixtures.replica(in: folder)
        try replica.applyRemote(version(["s": 1]))
        let vector = try replica.edit(id, note: "local")
        var echoed = version(vector.counters.reduce(into: [:]) { $0[$1.key.rawValue] = $1.value }, note: "local")
        echoed.editor = "alice"
        #expect(try replica.applyRemote(echoed) == [.unchanged])
        let held = try replica.held(id)
        #expect(held.count == 1 && !held[0].pending)
    }

    @Test func anOlderOrEqualRemoteVersionChangesNothing() throws {
        let folder = try ScratchFolder()
        let replica = try Fixtures.replica(in: folder)
        try replica.applyRemote(version(["s": 2], note: "current"))
        #expect(
            try replica.applyRemote(version(["s": 1], note: "old"), version(["s": 2], note: "same")) == [
                .unchanged, .unchanged,
            ])
        #expect(try replica.notes().map(\.note) == ["current"])
    }

    @Test func aConcurrentRemoteVersionKeepsThePendingOneAsASibling() throws {
        let folder = try ScratchFolder()
        let replica = try Fixtures.replica(in: folder)
        try replica.applyRemote(version(["s": 1]))
        try replica.edit(id, note: "mine")
        #expect(try replica.applyRemote(version(["s": 1, "t": 1], note: "theirs")) == [.conflict])
        let held = try replica.held(id)
        #expect(held.count == 2)
        #expect(held.filter(\.pending).count == 1)
    }

    @Test func aHiddenVersionDropsWhatItsVectorDominates() throws {
        let folder = try ScratchFolder()
        let replica = try Fixtures.replica(user: "bob", replica: "rep-bob", in: folder)
        try replica.applyRemote(version(["s": 1]), version(["t": 1]))
        #expect(try replica.notes().count == 1)
        let dropped = try replica.write { db in
            try ReplicaStore.applyHidden(
                db, HiddenVersion(type: .annotation, id: id, version: Fixtures.vector(["s": 2])))
        }
        #expect(dropped == 1)
        #expect(try replica.held(id).map(\.version.version) == [Fixtures.vector(["t": 1])])
        let second = try replica.write { db in
            try ReplicaStore.applyHidden(
                db, HiddenVersion(type: .annotation, id: id, version: Fixtures.vector(["s": 2, "t": 1])))
        }
        #expect(second == 1)
        #expect(try replica.notes().isEmpty && replica.held(id).isEmpty)
    }
}
