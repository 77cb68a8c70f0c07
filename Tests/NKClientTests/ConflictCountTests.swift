import GRDB
import NKProtocol
import NKTestSupport
import NKTestTraits
import Testing

@testable import NKClient

/// `conflicted` (kept by triggers) must always count what a scan of the versions counts.
@Suite(.tags(.unit)) struct ConflictCountTests {
    private static func scanned(_ db: Database) throws -> Int {
        try Int.fetchOne(
            db,
            sql: "SELECT COUNT(*) FROM (SELECT 1 FROM versions GROUP BY recordType, recordId HAVING COUNT(*) > 1)")
            ?? 0
    }

    @Test func triggerKeptCountMatchesAScanThroughRandomAppliesAndHides() throws {
        let queue = try ReplicaDatabase.openInMemory()
        var random = SeededRandom(seed: 42)
        let ids = (0..<6).map { _ in Fixtures.annotation().id }
        let replicas = ["a", "b", "c"]
        var conflictsSeen = 0
        try queue.write { db in
            for _ in 0..<2000 {
                let id = ids[Int(random.next() % UInt64(ids.count))]
                var counters: [String: UInt64] = [:]
                for replica in replicas where random.next() % 2 == 0 { counters[replica] = 1 + random.next() % 3 }
                if counters.isEmpty { counters["a"] = 1 }
                var annotation = Fixtures.annotation(note: "n")
                annotation.id = id
                let vector = Fixtures.vector(counters)
                switch random.next() % 4 {
                case 0:
                    try ReplicaStore.applyHidden(db, HiddenVersion(type: .annotation, id: id.rawValue, version: vector))
                case 1:
                    // The same version again (INSERT OR REPLACE of a held row) when it is held.
                    try ReplicaStore.applyRemote(db, RecordVersion(version: vector, body: .annotation(annotation)))
                    try StoredVersion(
                        version: RecordVersion(version: vector, body: .annotation(annotation)), pending: false
                    )
                    .insert(db)
                default:
                    try ReplicaStore.applyRemote(db, RecordVersion(version: vector, body: .annotation(annotation)))
                }
                let counted = try ReplicaStore.conflictCount(db)
                #expect(counted == (try Self.scanned(db)))
                conflictsSeen = max(conflictsSeen, counted)
            }
        }
        #expect(conflictsSeen > 0, "the schedule made conflicts")
    }
}
