import Foundation
import NKProtocol
import NKTestSupport
import NKTestTraits
import Testing

@testable import NKServer

/// Suite 3 of RELIABILITY.md, in process: push batches from several replicas delivered reordered,
/// duplicated, and again after a lost response, straight to the store; each version is stored at
/// most once and the final frontier is the model's (the maximal versions among those pushed).
///
/// `NK_REPLAY_SCHEDULES` sets how many seeded schedules run (default 200; RELIABILITY.md records a
/// run of 3000).
@Suite("Store: replayed, duplicated and reordered pushes", .tags(.unit, .postgres))
struct StoreReplayScheduleTests {
    struct Delivery {
        var replica: Int
        var versions: [RecordVersion]
    }

    @Test(arguments: StoreKind.available)
    func everyVersionIsStoredOnceAndTheFrontierIsTheModels(_ kind: StoreKind) async throws {
        let count = ProcessInfo.processInfo.environment["NK_REPLAY_SCHEDULES"].flatMap { Int($0) } ?? 200
        let fixture = try await StoreFixture(kind)
        var users: [AuthenticatedUser] = []
        for name in ["u0", "u1", "u2"] { users.append(try await fixture.user(name).user) }
        let replicas = (0..<3).map { ReplicaID("replay-r\($0)") }
        _ = try await fixture.store.push(
            user: users[0], replica: replicas[0], versions: [Sample.postVersion(["replay-r0": 1])])

        var storedTwice = 0
        var wrongFrontiers = 0
        var rejected = 0
        var deliveries = 0
        for seed in 0..<UInt64(count) {
            var rng = SeededRandom(seed: seed)
            // Each replica edits two annotations a few times, having seen part of the others' edits
            // that reached the server (a replica sees only what it pulled: the server refuses a
            // counter of another replica it never stored, `unknown_causality`). Every batch is
            // delivered at least once (a lost response means the client sends it again), some two
            // or three times, all in a random order; a batch is written when it is first sent.
            let annotations = try (0..<2).map { _ in try Sample.annotation() }
            var counters = [[UInt64]](repeating: [0, 0, 0], count: 2)
            var delivered = [[UInt64]](repeating: [0, 0, 0], count: 2)
            let plan = (0..<Int.random(in: 3...8, using: &rng)).map { _ in
                (replica: Int.random(in: 0..<3, using: &rng), size: Int.random(in: 1...3, using: &rng))
            }
            var schedule: [Int] = []
            for index in plan.indices {
                for _ in 0..<Int.random(in: 1...3, using: &rng) { schedule.append(index) }
            }
            schedule.shuffle(using: &rng)
            var pushed: [RecordVersion] = []
            var made: [Int: Delivery] = [:]
            var storedKeys: Set<String> = []
            for index in schedule {
                let replica = plan[index].replica
                let delivery: Delivery
                if let sent = made[index] {
                    delivery = sent
                } else {
                    var batch: [RecordVersion] = []
                    for _ in 0..<plan[index].size {
                        let which = Int.random(in: 0..<2, using: &rng)
                        counters[which][replica] += 1
                        var seen: [String: UInt64] = [replicas[replica].rawValue: counters[which][replica]]
                        for other in 0..<3
                        where other != replica && delivered[which][other] > 0 && Bool.random(using: &rng) {
                            seen[replicas[other].rawValue] = UInt64.random(
                                in: 1...delivered[which][other], using: &rng)
                        }
                        var body = annotations[which]
                        body.note = "\(seed)-\(which)-\(replica)-\(counters[which][replica])"
                        batch.append(Sample.annotationVersion(body, seen))
                    }
                    pushed += batch
                    delivery = Delivery(replica: replica, versions: batch)
                    made[index] = delivery
                }
                let results = try await fixture.store.push(
                    user: users[delivery.replica], replica: replicas[delivery.replica], versions: delivery.versions)
                deliveries += 1
                for result in results {
                    switch result.status {
                    case .applied, .conflict:
                        if !storedKeys.insert("\(result.id)@\(result.version)").inserted { storedTwice += 1 }
                    case .rejected: rejected += 1
                    case .unchanged: break
                    }
                }
                for version in delivery.versions {
                    let which = annotations.firstIndex { $0.id.rawValue == version.id } ?? 0
                    delivered[which][replica] = max(delivered[which][replica], version.version[replicas[replica]])
                }
            }
            // The model: the versions no other pushed version dominates.
            for (which, annotation) in annotations.enumerated() {
                let mine = pushed.filter { $0.id == annotation.id.rawValue }
                guard !mine.isEmpty else { continue }
                let expected = Set(
                    mine.filter { version in
                        !mine.contains { $0.version != version.version && $0.version.dominates(version.version) }
                    }
                    .map(\.version))
                let held = Set(
                    try await fixture.store.record(user: users[0], type: .annotation, id: annotation.id.rawValue).map(
                        \.version))
                if held != expected {
                    wrongFrontiers += 1
                    Issue.record("seed \(seed), annotation \(which): held \(held), model \(expected)")
                }
            }
        }
        #expect(deliveries > count * 3)
        #expect(storedTwice == 0)
        #expect(rejected == 0)
        #expect(wrongFrontiers == 0)
    }
}
