import Foundation
import GRDB
import NKProtocol
import NKTestSupport
import NKTestTraits
import Testing

@testable import NKServer

/// The highest counter of each replica the store accepted from it (docs/DESIGN.md, "Own counters").
@Suite("Store: each replica's high-water mark", .tags(.unit, .postgres))
struct StoreReplicaHighWaterTests {
    @Test(arguments: StoreKind.available)
    func theMarkIsTheHighestCounterKeptFromTheReplicaAndOnlyItsUserLearnsIt(_ kind: StoreKind) async throws {
        let fixture = try await StoreFixture(kind)
        let (alice, _) = try await fixture.user("alice")
        let (bob, _) = try await fixture.user("bob")
        let replica = ReplicaID("r1")
        #expect(try await fixture.store.replicaHighWater(user: alice, replica: replica) == 0)

        // A version kept raises the mark; a replayed or dominated one does not lower it
        _ = try await fixture.store.push(user: alice, replica: replica, versions: [Sample.postVersion(["r1": 7])])
        _ = try await fixture.store.push(user: alice, replica: replica, versions: [Sample.postVersion(["r1": 3])])
        #expect(try await fixture.store.replicaHighWater(user: alice, replica: replica) == 7)

        // A rejected version does not count
        var deleted = Sample.postVersion(["r1": 9])
        deleted.deleted = true
        let results = try await fixture.store.push(user: alice, replica: replica, versions: [deleted])
        #expect(results.map(\.status) == [.rejected])
        #expect(try await fixture.store.replicaHighWater(user: alice, replica: replica) == 7)

        // Another user learns nothing of alice's replica
        #expect(try await fixture.store.replicaHighWater(user: bob, replica: replica) == 0)

        // It survives reopening the store
        let again = try await fixture.openAgain()
        #expect(try await again.replicaHighWater(user: alice, replica: replica) == 7)
    }
}

/// Migration `v3-replica-high-water` on a database the shipped schema wrote (Tests/Fixtures).
@Suite("Store: the high-water migration", .tags(.unit, .postgres))
struct StoreReplicaHighWaterMigrationTests {
    @Test func theMigrationReadsEachReplicasMarkFromTheStoredVectors() async throws {
        let fixture = TestPaths.repositoryRoot.appendingPathComponent("Tests/Fixtures/schema1-5cd0e17/server.sqlite")
        let folder = try TemporaryFolder("nkserver-high-water")
        defer { folder.remove() }
        let copy = folder.path("server.sqlite")
        try FileManager.default.copyItem(atPath: fixture.path, toPath: copy)
        let store = try SQLiteStore(path: copy)
        // Every replica's mark is the largest counter of it in any stored vector.
        let expected = try await store.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT vectorJSON FROM versions").reduce(into: [String: UInt64]()) {
                marks, row in
                let vector = try Wire.makeDecoder().decode(VersionVector.self, from: Data((row[0] as String).utf8))
                for (replica, counter) in vector.counters {
                    marks[replica.rawValue] = max(marks[replica.rawValue] ?? 0, counter)
                }
            }
        }
        let replicas = try store.pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT r.id, r.highWater, u.id, u.name FROM replicas r JOIN users u ON u.id = r.userId")
        }
        #expect(!replicas.isEmpty)
        for row in replicas {
            let user = AuthenticatedUser(id: row[2], name: row[3], readOnly: false)
            let replica = ReplicaID(row[0] as String)
            #expect(try await store.replicaHighWater(user: user, replica: replica) == expected[replica.rawValue] ?? 0)
            #expect((expected[replica.rawValue] ?? 0) > 0)
        }
    }
}
