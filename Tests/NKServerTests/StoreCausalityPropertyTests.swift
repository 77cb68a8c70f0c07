import Foundation
import NKProtocol
import NKTestSupport
import NKTestTraits
import Testing

@testable import NKServer

/// Random interleavings of honest replicas and one forging user against a store: no honest edit
/// is ever lost or swallowed, and no honest replica is ever blocked (issue 13).
@Suite("Store: causality under a forging user (property)", .tags(.unit, .postgres))
struct StoreCausalityPropertyTests {
    /// An honest replica: what it holds (the frontier rule applied to what it pulled and wrote), its
    /// cursor, and every version it wrote.
    struct HonestReplica {
        let id: ReplicaID
        let user: AuthenticatedUser
        var held: [String: [VersionVector: String]] = [:]
        var cursor: Int64 = 0

        mutating func apply(_ record: String, _ vector: VersionVector, _ text: String) {
            var frontier = held[record, default: [:]]
            if frontier.keys.contains(where: { $0.dominates(vector) }) { return }
            frontier = frontier.filter { !vector.dominates($0.key) }
            frontier[vector] = text
            held[record] = frontier
        }

        mutating func hide(_ record: String, _ vector: VersionVector) {
            held[record] = held[record]?.filter { !vector.dominates($0.key) }
        }

        /// The vector of its next edit of `record`: every held version merged, one more edit by itself.
        func nextVector(_ record: String) -> VersionVector {
            VersionVector.merging(held[record, default: [:]].keys).incremented(for: id)
        }
    }

    /// A version some replica pushed, with the step at which the server took it.
    struct Written {
        var record: String
        var vector: VersionVector
        var step: Int
    }

    struct Run {
        let fixture: StoreFixture
        var random: SeededRandom
        var honest: [HonestReplica]
        let mallory: AuthenticatedUser
        var notes: [String: Annotation] = [:]
        var honestWrites: [Written] = []
        var storedAt: [String: [VersionVector: Int]] = [:]
        var failures: [String] = []
        var forgeries = 0
        var step = 0

        mutating func pull(_ index: Int) async throws {
            var replica = honest[index]
            while true {
                let page = try await fixture.store.changes(user: replica.user, since: replica.cursor, limit: 7)
                for change in page.changes {
                    if let record = change.record, case .annotation(let note) = record.body {
                        replica.apply(record.id, record.version, note.note)
                    } else if let hidden = change.hidden {
                        replica.hide(hidden.id, hidden.version)
                    }
                }
                replica.cursor = page.next
                if !page.more { break }
            }
            honest[index] = replica
        }

        mutating func honestEdit(_ index: Int) async throws {
            let replica = honest[index]
            let ids = notes.keys.sorted().filter { replica.held[$0]?.isEmpty == false }
            var note: Annotation
            if ids.isEmpty || random.next() % 5 == 0 {
                // Ids in creation order, so that a seed replays the same run.
                let id = AnnotationID(String(format: "00000000-0000-4000-8000-%012d", notes.count + 1))
                note = try Sample.annotation(id: id, note: "new", author: replica.user.name)
            } else {
                note = notes[ids[Int(random.next() % UInt64(ids.count))]]!
            }
            let id = note.id.rawValue
            note.note = "\(replica.id.rawValue) step \(step)"
            let vector = replica.nextVector(id)
            let version = RecordVersion(version: vector, body: .annotation(note))
            let result = try #require(
                try await fixture.store.push(user: replica.user, replica: replica.id, versions: [version]).first)
            switch result.status {
            case .applied, .conflict:
                notes[id] = notes[id] ?? note
                honest[index].apply(id, vector, note.note)
                honestWrites.append(Written(record: id, vector: vector, step: step))
                storedAt[id, default: [:]][vector] = step
            case .unchanged:
                failures.append("step \(step): \(replica.id.rawValue)'s edit \(vector) of \(id) was swallowed")
            case .rejected:
                failures.append(
                    "step \(step): \(replica.id.rawValue) blocked on \(id) \(vector): \(result.code?.rawValue ?? "") \(result.message ?? "")"
                )
            }
        }

        /// Mallory pushes a random vector over every replica into a record she can read: small,
        /// just above what is stored, or at the limit.
        mutating func forge() async throws {
            guard !notes.isEmpty else { return }
            let ids = notes.keys.sorted()
            let id = ids[Int(random.next() % UInt64(ids.count))]
            let stored = try await fixture.store.record(user: mallory, type: .annotation, id: id).map(\.version)
            let join = VersionVector.merging(stored)
            var counters: [String: UInt64] = [:]
            for replica in honest.map(\.id.rawValue) + ["rm"] where random.next() % 3 != 0 {
                let base = join[ReplicaID(replica)]
                counters[replica] =
                    switch random.next() % 4 {
                    case 0: base
                    case 1: base + 1 + random.next() % 3
                    case 2: UInt64(1) << 53
                    default: random.next() % 4
                    }
            }
            var note = try #require(notes[id])
            note.note = "forged \(step)"
            let vector = VersionVector(
                Dictionary(uniqueKeysWithValues: counters.map { (ReplicaID($0.key), $0.value) }))
            let version = RecordVersion(version: vector, body: .annotation(note))
            let result = try #require(
                try await fixture.store.push(user: mallory, replica: ReplicaID("rm"), versions: [version]).first)
            forgeries += 1
            if result.status == .applied || result.status == .conflict {
                storedAt[id, default: [:]][vector] = step
            }
        }

        /// Every honest version is held, or replaced by a version pushed after it was stored (whose
        /// writer had seen it); every replica ends with the server's frontier.
        mutating func check() async throws {
            for index in honest.indices { try await pull(index) }
            var frontiers: [String: [VersionVector]] = [:]
            for id in notes.keys {
                frontiers[id] = try await fixture.store.record(user: mallory, type: .annotation, id: id).map(\.version)
            }
            for written in honestWrites {
                let frontier = frontiers[written.record] ?? []
                if frontier.contains(written.vector) { continue }
                let seenBy = frontier.filter { $0.dominates(written.vector) }
                    .compactMap { storedAt[written.record]?[$0] }
                if !seenBy.contains(where: { $0 > written.step }) {
                    failures.append("\(written.vector) of \(written.record) (step \(written.step)) was lost")
                }
            }
            for replica in honest {
                for (id, frontier) in frontiers where Set((replica.held[id] ?? [:]).keys) != Set(frontier) {
                    failures.append("\(replica.id.rawValue) holds \(replica.held[id] ?? [:]) of \(id), not \(frontier)")
                }
            }
        }
    }

    @Test(arguments: StoreKind.available)
    func noHonestEditIsLostSwallowedOrBlocked(_ kind: StoreKind) async throws {
        let seeds: [UInt64] = kind == .sqlite ? [1, 2, 3, 4] : [5, 6]
        var forgeries = 0
        var honestEdits = 0
        var failures: [String] = []
        for seed in seeds {
            let fixture = try await StoreFixture(kind)
            _ = try await fixture.store.importPosts([Sample.post])
            let alice = try await fixture.user("alice").user
            let bob = try await fixture.user("bob").user
            let mallory = try await fixture.user("mallory").user
            var run = Run(
                fixture: fixture, random: SeededRandom(seed: seed),
                honest: [
                    HonestReplica(id: ReplicaID("ra1"), user: alice), HonestReplica(id: ReplicaID("ra2"), user: alice),
                    HonestReplica(id: ReplicaID("rb"), user: bob),
                ],
                mallory: mallory)
            for step in 0..<80 {
                run.step = step
                let choice = Int(run.random.next() % 10)
                switch choice {
                case 0..<3: try await run.honestEdit(choice)
                case 3..<6: try await run.pull(choice - 3)
                default: try await run.forge()
                }
            }
            try await run.check()
            #expect(run.failures.isEmpty, "seed \(seed): \(run.failures.prefix(5))")
            #expect(run.honestWrites.count > 5, "seed \(seed)")
            forgeries += run.forgeries
            honestEdits += run.honestWrites.count
            failures += run.failures
        }
        #expect(forgeries > 20)
        // RELIABILITY.md, suite 11.
        print(
            "suite=forged-causality store=\(kind.rawValue) seeds=\(seeds.count) forgeries=\(forgeries) "
                + "honest_edits=\(honestEdits) honest_lost=\(failures.count { $0.hasSuffix("was lost") }) "
                + "replicas_blocked=\(failures.count { $0.contains(" blocked on ") }) "
                + "replicas_diverged=\(failures.count { $0.contains(" holds ") })")
    }
}
