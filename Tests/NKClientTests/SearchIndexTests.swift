import Foundation
import GRDB
import NKProtocol
import NKTestTraits
import Testing

@testable import NKClient

@Suite(.tags(.unit)) struct SearchIndexTests {
    let post = Fixtures.post.id.rawValue

    func kinds(_ hits: [SearchHit]) -> [String] {
        hits.map { "\($0.kind.rawValue):\($0.id)" }
    }

    @Test func postsAreFoundByTitleBodyAndSourceWithAHighlightedSnippet() throws {
        let folder = try ScratchFolder()
        let replica = try Fixtures.replica(in: folder, posts: [Fixtures.post, Fixtures.otherPost])

        let byBody = try replica.search("\"hard currency\"")
        #expect(kinds(byBody) == ["post:\(post)"])
        #expect(byBody[0].snippet(open: "[", close: "]").contains("[hard currency]"))
        #expect(byBody[0].title == Fixtures.post.title && byBody[0].rank < 0)
        #expect(try replica.search("sanction*").map(\.id) == [post])
        #expect(try replica.search("reuters").map(\.id) == [post])
        #expect(try replica.search("rail").map(\.id) == [Fixtures.otherPost.id.rawValue])
        #expect(try replica.search("zebra OR giraffe").isEmpty)
    }

    /// The window read in rank order hands out rows in the very order of ranking every match: notes
    /// of the same text tie in bm25 and are ordered by id, across the edges of small windows.
    @Test(arguments: [1, 2, 3, 7, 100]) func rankedWindowsKeepTheOrderOfEveryMatch(window: Int) throws {
        let folder = try ScratchFolder()
        let replica = try Fixtures.replica(in: folder)
        try replica.write { db in
            for index in 0..<24 {
                let id = AnnotationID(String(format: "6f1c2a3b-0000-4000-8000-%012d", (index * 7) % 24))
                let text = index % 3 == 0 ? "yuan yuan rates" : "yuan rates and other words"
                try ReplicaStore.applyRemote(
                    db,
                    RecordVersion(
                        version: Fixtures.vector(["x": 1]), editor: "alice",
                        body: .annotation(Fixtures.annotation(id: id, note: text))))
            }
        }
        let (everyMatch, windowed) = try replica.read { db in
            let key = { (row: Row) -> String in "\(row["recordId"] as String) \(row["score"] as Double)" }
            let every = try Array(Replica.matchCursor(db, query: "\"yuan\"").map(key))
            var ranked = RankedMatches(query: "\"yuan\"", window: window)
            var rows: [String] = []
            while let row = try ranked.next(db) { rows.append(key(row)) }
            return (every, rows)
        }
        #expect(everyMatch.count == 24)
        #expect(windowed == everyMatch)
    }

    @Test func theIndexFollowsAnnotateEditAndDelete() throws {
        let folder = try ScratchFolder()
        let replica = try Fixtures.replica(in: folder)
        let id = try replica.annotate(post: post, quote: "hard currency", note: "Ask about yuan", tags: ["money"])
        let hits = try replica.search("yuan")
        #expect(kinds(hits) == ["note:\(id.rawValue)"])
        #expect(hits[0].author == "alice" && hits[0].tags == ["money"] && hits[0].postId == Fixtures.post.id)
        #expect(hits[0].title == Fixtures.post.title)
        #expect(try replica.search("money").map(\.kind) == [.note])

        // An edit replaces the indexed text; acknowledging it (pending = 0) changes nothing.
        try replica.edit(id.rawValue, note: "Ask about euros")
        #expect(try replica.search("yuan").isEmpty)
        #expect(kinds(try replica.search("euros")) == ["note:\(id.rawValue)"])
        try replica.write { db in try db.execute(sql: "UPDATE versions SET pending = 0") }
        #expect(kinds(try replica.search("euros")) == ["note:\(id.rawValue)"])

        // A delete (a tombstone) leaves the index.
        try replica.delete(id.rawValue)
        #expect(try replica.search("euros").isEmpty)
        #expect(try indexRows(replica) == 1)  // the post only
    }

    @Test func theIndexFollowsRemoteVersionsAndGroupsSiblings() throws {
        let folder = try ScratchFolder()
        let replica = try Fixtures.replica(in: folder)
        let id = Fixtures.annotation().id.rawValue
        // Two concurrent versions arrive: one record, two index rows, one hit.
        try replica.applyRemote(
            RecordVersion(
                version: Fixtures.vector(["x": 1]), editor: "alice",
                body: .annotation(Fixtures.annotation(note: "smuggling route"))),
            RecordVersion(
                version: Fixtures.vector(["y": 1]), editor: "bob",
                body: .annotation(Fixtures.annotation(note: "smuggling fees"))))
        #expect(try indexRows(replica) == 3)
        #expect(kinds(try replica.search("smuggling")) == ["note:\(id)"])

        // A version that has seen both replaces them in the index.
        try replica.applyRemote(
            RecordVersion(
                version: Fixtures.vector(["x": 1, "y": 1, "z": 1]), editor: "carol",
                body: .annotation(Fixtures.annotation(note: "settled"))))
        #expect(try replica.search("smuggling").isEmpty)
        #expect(kinds(try replica.search("settled")) == ["note:\(id)"])
        #expect(try indexRows(replica) == 2)

        // A corrected post pulled from the server replaces the old text.
        var corrected = Fixtures.post
        corrected.body = ["Plants reopened after the sanctions were eased."]
        try replica.applyRemote(Fixtures.postVersion(corrected, counter: 2))
        #expect(try replica.search("reopened").map(\.id) == [post])
        #expect(try replica.search("\"processing plants\"").map(\.id) == [post])  // the title stays
        #expect(try replica.search("analysts").isEmpty)
    }

    @Test func filtersApplyToNotesAndPosts() throws {
        let folder = try ScratchFolder()
        let replica = try Fixtures.replica(in: folder, posts: [Fixtures.post, Fixtures.otherPost])
        let tagged = try replica.annotate(post: post, quote: "hard currency", note: "exports fell", tags: ["Trade"])
        try replica.annotate(post: Fixtures.otherPost.id.rawValue, quote: "rail link", note: "exports rose")

        #expect(try replica.search("exports").count == 3)
        #expect(
            kinds(try replica.search("exports", filter: NoteFilter(tag: "trade"))).sorted()
                == ["note:\(tagged.rawValue)", "post:\(post)"])
        #expect(try replica.search("exports", filter: NoteFilter(source: "reuters")).count == 2)
        #expect(try replica.search("exports", filter: NoteFilter(author: "bob")).isEmpty)
        #expect(try replica.search("exports", filter: NoteFilter(author: "alice")).allSatisfy { $0.kind == .note })
        #expect(try replica.search("exports", limit: 1).count == 1)
    }

    @Test func theMigrationIndexesAnExistingReplica() throws {
        // Given a replica database made before the index existed
        let queue = try DatabaseQueue()
        try ReplicaDatabase.migrator.migrate(queue, upTo: "v1")
        try queue.write { db in
            try StoredVersion(version: Fixtures.postVersion(), pending: false).insert(db)
            try StoredVersion(
                version: RecordVersion(
                    version: Fixtures.vector(["x": 1]), body: .annotation(Fixtures.annotation(note: "older note"))),
                pending: false
            ).insert(db)
            try StoredVersion(
                version: RecordVersion(
                    version: Fixtures.vector(["x": 1]), deleted: true,
                    body: .annotation(
                        Fixtures.annotation(
                            id: AnnotationID("6f1c2a3b-0000-4000-8000-000000000002"), note: "deleted note"))),
                pending: false
            ).insert(db)
        }
        // When it is migrated
        try ReplicaDatabase.migrator.migrate(queue)
        // Then what it held is searchable, deleted versions excepted
        let found = try queue.read { db in
            (
                try Replica.matches(db, query: "older").count, try Replica.matches(db, query: "sanctions").count,
                try Replica.matches(db, query: "deleted").count
            )
        }
        #expect(found.0 == 1 && found.1 == 1 && found.2 == 0)
    }

    @Test func theFoldMigrationStemsWhatAReplicaAlreadyHeld() throws {
        // Given a replica indexed without stemming, with a note and a deleted note
        let queue = try DatabaseQueue()
        try ReplicaDatabase.migrator.migrate(queue, upTo: "v4-conflicted")
        try queue.write { db in
            try StoredVersion(version: Fixtures.postVersion(), pending: false).insert(db)
            try StoredVersion(
                version: RecordVersion(
                    version: Fixtures.vector(["x": 1]), body: .annotation(Fixtures.annotation(note: "exported rice"))),
                pending: true
            ).insert(db)
        }
        let before = try queue.read { db in try Replica.matches(db, query: "sanction").count }
        #expect(before == 0)
        // When v6-search-fold runs
        try ReplicaDatabase.migrator.migrate(queue)
        // Then the same rows are indexed, stemmed, and the triggers still keep the index
        try queue.write { db in
            let found = (
                try Replica.matches(db, query: "sanction").count, try Replica.matches(db, query: "export").count
            )
            // "sanctions" in the post; "exports" in the post and "exported" in the note.
            #expect(found == (1, 2))
            try db.execute(sql: "DELETE FROM versions WHERE recordType = 'annotation'")
            #expect(try Replica.matches(db, query: "export").count == 1)
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM search") == 1)
        }
    }

    func indexRows(_ replica: Replica) throws -> Int {
        try replica.read { db in
            let rows = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM search_rows") ?? -1
            let indexed = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM search") ?? -1
            #expect(rows == indexed)
            return rows
        }
    }
}
