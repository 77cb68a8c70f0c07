import Foundation
import NKProtocol
import NKTestTraits
import Testing

@testable import NKServer

/// Several server processes on one store: each `openAgain()` is a store of its own (its own
/// connections, its own notifier), as a second `nkserver` would have.
@Suite("Store: several servers on one database", .tags(.unit, .postgres))
struct StoreScaleOutTests {
    /// Writers push through two stores at once while a reader pulls page by page through a third.
    /// A change that committed late with a number below the reader's cursor would be skipped for
    /// ever; the reader must end with every version the database holds, each exactly once.
    @Test(arguments: StoreKind.available)
    func aReaderNeverSkipsAChangeWhileTwoServersWrite(_ kind: StoreKind) async throws {
        let fixture = try await StoreFixture(kind)
        let servers = [fixture.store, try await fixture.openAgain()]
        let reader = try await fixture.openAgain()
        _ = try await fixture.store.importPosts([Sample.post])
        var users: [AuthenticatedUser] = []
        for index in 0..<4 { users.append(try await fixture.user("writer\(index)").user) }
        let writers = users
        let (observer, _) = try await fixture.user("observer")
        let rounds = 15

        let pulled = try await withThrowingTaskGroup(of: [Change]?.self) { group in
            for (index, user) in writers.enumerated() {
                let server = servers[index % servers.count]
                group.addTask {
                    for round in 0..<rounds {
                        // Two notes per push; one shared post-version edit by everyone makes siblings too.
                        let notes = try (0..<2).map { n in
                            Sample.annotationVersion(
                                try Sample.annotation(note: "w\(index) r\(round) n\(n)"), ["w\(index)": 1])
                        }
                        let results = try await server.push(
                            user: user, replica: ReplicaID("w\(index)"), versions: notes)
                        #expect(results.allSatisfy { $0.status == .applied })
                    }
                    return nil
                }
            }
            group.addTask {
                var cursor: Int64 = 0
                var changes: [Change] = []
                // Pull until every writer is done and a pull finds nothing new.
                let expected = 1 + writers.count * rounds * 2
                var idle = 0
                while idle < 3 {
                    let page = try await reader.changes(user: observer, since: cursor, limit: 7)
                    #expect(page.changes.allSatisfy { $0.seq > cursor })
                    changes += page.changes
                    cursor = page.next
                    if page.changes.isEmpty {
                        idle = changes.count >= expected ? idle + 1 : 0
                        try await Task.sleep(for: .milliseconds(5))
                    }
                }
                return changes
            }
            var pulled: [Change] = []
            for try await result in group { if let result { pulled = result } }
            return pulled
        }

        let everything = try await fixture.store.changes(user: observer, since: 0, limit: 1000)
        #expect(everything.more == false)
        let key = { (change: Change) in "\(change.record?.id ?? "")@\(change.record?.version.canonical ?? "")" }
        #expect(everything.changes.count == 1 + writers.count * rounds * 2)
        #expect(pulled.map(key).sorted() == everything.changes.map(key).sorted())
        #expect(Set(pulled.map(\.seq)).count == pulled.count)
        #expect(pulled.map(\.seq) == pulled.map(\.seq).sorted())
    }

    /// Pushes of concurrent versions of one record through two servers at once end as siblings,
    /// every one of them, whichever server took which.
    @Test(arguments: StoreKind.available)
    func concurrentEditsThroughTwoServersAllBecomeSiblings(_ kind: StoreKind) async throws {
        let fixture = try await StoreFixture(kind)
        let servers = [fixture.store, try await fixture.openAgain()]
        _ = try await fixture.store.importPosts([Sample.post])
        let author = try await fixture.user("author").user
        let note = try Sample.annotation(note: "The original.")
        _ = try await fixture.store.push(
            user: author, replica: ReplicaID("a"), versions: [Sample.annotationVersion(note, ["a": 1])])
        var editors: [AuthenticatedUser] = []
        for index in 0..<6 { editors.append(try await fixture.user("editor\(index)").user) }
        let users = editors

        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, user) in users.enumerated() {
                group.addTask {
                    var edit = note
                    edit.note = "Edit \(index)."
                    let version = Sample.annotationVersion(edit, ["a": 1, "e\(index)": 1])
                    let results = try await servers[index % 2].push(
                        user: user, replica: ReplicaID("e\(index)"), versions: [version])
                    #expect(results.count == 1)
                    #expect(results.first?.status == .applied || results.first?.status == .conflict)
                }
            }
            try await group.waitForAll()
        }

        let siblings = try await fixture.store.record(user: author, type: .annotation, id: note.id.rawValue)
        #expect(siblings.count == users.count)
        let texts = siblings.compactMap { version -> String? in
            if case .annotation(let annotation) = version.body { return annotation.note }
            return nil
        }
        #expect(Set(texts) == Set((0..<users.count).map { "Edit \($0)." }))
    }
}
