import Foundation
import NKProtocol
import NKTestTraits
import Testing

@testable import NKServer

@Suite("Store: pull", .tags(.unit, .postgres))
struct StorePullTests {
    static func posts(_ count: Int) -> [Post] {
        (1...count).map { Post(title: "Post \($0)", body: ["Paragraph of post \($0)."], category: "Tests") }
    }

    @Test(arguments: StoreKind.available)
    func anotherUsersPrivateAnnotationLeavesNoTrace(_ kind: StoreKind) async throws {
        let fixture = try await StoreFixture(kind)
        _ = try await fixture.store.importPosts([Sample.post])
        let (alice, _) = try await fixture.user("alice")
        let (bob, _) = try await fixture.user("bob")
        let note = try Sample.annotation(note: "My private thought.", visibility: .private)
        _ = try await fixture.store.push(
            user: alice, replica: ReplicaID("ra"), versions: [Sample.annotationVersion(note, ["ra": 1])])

        let forBob = try await fixture.store.changes(user: bob, since: 0, limit: 100)
        let forAlice = try await fixture.store.changes(user: alice, since: 0, limit: 100)
        let bobsJSON = String(
            decoding: try await fixture.store.changesJSON(user: bob, since: 0, limit: 100), as: UTF8.self)

        // bob never could read it: no entry, but his cursor moves past it
        let alicesView = try #require(forAlice.changes.last)
        #expect(alicesView.record?.id == note.id.rawValue)
        #expect(forBob.changes.map(\.seq) == forAlice.changes.dropLast().map(\.seq))
        #expect(forBob.changes.allSatisfy { $0.hidden == nil })
        #expect(forBob.next == alicesView.seq)
        #expect(!bobsJSON.contains(note.id.rawValue))
        #expect(!bobsJSON.contains("\"ra\""))
        await #expect(throws: ServerError.self) {
            try await fixture.store.record(user: bob, type: .annotation, id: note.id.rawValue)
        }
    }

    @Test(arguments: StoreKind.available)
    func pagesCoverEverythingOnceAndEndWithMoreFalse(_ kind: StoreKind) async throws {
        let fixture = try await StoreFixture(kind)
        _ = try await fixture.store.importPosts(Self.posts(5))
        let (alice, _) = try await fixture.user("alice")

        var cursor: Int64 = 0
        var seen: [String] = []
        var pages = 0
        while true {
            let page = try await fixture.store.changes(user: alice, since: cursor, limit: 2)
            pages += 1
            #expect(page.changes.count <= 2)
            #expect(page.changes.allSatisfy { $0.seq > cursor })
            seen += page.changes.compactMap(\.record?.id)
            cursor = page.next
            if !page.more { break }
            #expect(pages < 10)
        }

        #expect(pages == 3)
        #expect(seen == Self.posts(5).map(\.id.rawValue))
        let empty = try await fixture.store.changes(user: alice, since: cursor, limit: 2)
        #expect(empty.changes.isEmpty)
        #expect(empty.next == cursor)
        #expect(empty.more == false)
    }

    @Test(arguments: StoreKind.available)
    func everyPageSaysTheNewestSequenceNumber(_ kind: StoreKind) async throws {
        let fixture = try await StoreFixture(kind)
        _ = try await fixture.store.importPosts(Self.posts(5))
        let (alice, _) = try await fixture.user("alice")
        let newest = try await fixture.store.latestSequence()

        let first = try await fixture.store.changes(user: alice, since: 0, limit: 2)
        let last = try await fixture.store.changes(user: alice, since: newest, limit: 2)
        let json = try await fixture.store.changesJSON(user: alice, since: 0, limit: 2)
        let object = try JSONSerialization.jsonObject(with: json) as? [String: Any]

        #expect(newest == 5)
        #expect(first.latest == newest)
        #expect(first.more && first.next < newest)
        #expect(last.latest == newest)
        #expect(last.changes.isEmpty && !last.more)
        #expect(object?["latest"] as? Int == 5)
    }

    /// A server older than `latest` still decodes.
    @Test func aPageWithoutLatestDecodes() throws {
        let page = try Wire.makeDecoder().decode(
            PullResponse.self, from: Data(#"{"changes":[],"more":false,"next":3}"#.utf8))
        #expect(page == PullResponse(changes: [], next: 3, more: false))
        #expect(page.latest == nil)
    }

    /// A page covers `limit` stored rows whatever it sends: rows the user may not see are skipped
    /// as entries, not as rows, so a page that says `more` moves the cursor by at least `limit`.
    @Test(arguments: StoreKind.available)
    func pagesSkipEntriesNotRows(_ kind: StoreKind) async throws {
        let fixture = try await StoreFixture(kind)
        _ = try await fixture.store.importPosts([Sample.post])
        let (alice, _) = try await fixture.user("alice")
        let (carol, _) = try await fixture.user("carol")
        var shared: [String] = []
        for index in 1...9 {
            let visibility: Visibility = index % 4 == 0 ? .shared : .private
            let note = try Sample.annotation(note: "Note \(index).", visibility: visibility)
            if visibility == .shared { shared.append(note.id.rawValue) }
            _ = try await fixture.store.push(
                user: alice, replica: ReplicaID("ra"), versions: [Sample.annotationVersion(note, ["ra": 1])])
        }

        var cursor: Int64 = 0
        var seen: [String] = []
        var pages = 0
        while true {
            let page = try await fixture.store.changes(user: carol, since: cursor, limit: 3)
            let json = try Wire.makeDecoder().decode(
                PullResponse.self, from: try await fixture.store.changesJSON(user: carol, since: cursor, limit: 3))
            #expect(json == page)
            pages += 1
            if page.more { #expect(page.next >= cursor + 3) }
            #expect(page.changes.allSatisfy { $0.hidden == nil })
            seen += page.changes.compactMap { $0.record?.type == .annotation ? $0.record?.id : nil }
            cursor = page.next
            if !page.more { break }
            #expect(pages < 10)
        }

        #expect(pages == 4)
        #expect(cursor == 10)
        #expect(seen == shared)
    }

    @Test(arguments: StoreKind.available) func exactPageIsNotFollowedByMore(_ kind: StoreKind) async throws {
        let fixture = try await StoreFixture(kind)
        _ = try await fixture.store.importPosts(Self.posts(2))
        let (alice, _) = try await fixture.user("alice")

        let page = try await fixture.store.changes(user: alice, since: 0, limit: 2)

        #expect(page.changes.count == 2)
        #expect(page.more == false)
        #expect(page.next == page.changes.last?.seq)
    }

    @Test(arguments: StoreKind.available, [Int64(-1), 1_000])
    func cursorOutsideTheSequenceIsRefused(kind: StoreKind, since: Int64) async throws {
        let fixture = try await StoreFixture(kind)
        _ = try await fixture.store.importPosts(Self.posts(2))
        let (alice, _) = try await fixture.user("alice")

        let error = await #expect(throws: ServerError.self) {
            try await fixture.store.changes(user: alice, since: since, limit: 10)
        }

        #expect(error?.code == .invalidCursor)
    }

    @Test(arguments: StoreKind.available) func supersededVersionsAreNotPulledAgain(_ kind: StoreKind) async throws {
        let fixture = try await StoreFixture(kind)
        let (alice, _) = try await fixture.user("alice")
        _ = try await fixture.store.push(
            user: alice, replica: ReplicaID("r1"), versions: [Sample.postVersion(["r1": 1])])
        let before = try await fixture.store.changes(user: alice, since: 0, limit: 10)
        _ = try await fixture.store.push(
            user: alice, replica: ReplicaID("r1"), versions: [Sample.postVersion(["r1": 2])])

        let fromZero = try await fixture.store.changes(user: alice, since: 0, limit: 10)
        let fromCursor = try await fixture.store.changes(user: alice, since: before.next, limit: 10)

        #expect(fromZero.changes.compactMap(\.record?.version) == [vector(["r1": 2])])
        #expect(fromCursor.changes.compactMap(\.record?.version) == [vector(["r1": 2])])
        #expect(fromCursor.changes.first?.seq ?? 0 > before.next)
    }
}
