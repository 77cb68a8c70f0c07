import Foundation
import NKProtocol
import NKTestSupport
import NKTestTraits
import Testing

@testable import NKClient

/// `search` as researchers type it, on the sample corpus's post of names (samples/corpus/names.txt).
@Suite(.tags(.unit)) struct SearchQueryTests {
    static let file: CorpusFile = {
        let url = TestPaths.repositoryRoot.appendingPathComponent("samples/corpus/names.txt")
        return try! CorpusParser.parse(String(contentsOf: url, encoding: .utf8))
    }()
    /// "Envoy’s visit to the D.P.R.K. postponed again" (dated 3 June 2024).
    static let visit = file.posts[0]
    /// "Three spellings of one name" (undated).
    static let spellings = file.posts[1]

    func replica(_ folder: ScratchFolder) throws -> Replica {
        try Fixtures.replica(in: folder, posts: Self.file.posts + [Fixtures.post, Fixtures.otherPost])
    }

    func ids(_ hits: [SearchHit]) -> Set<String> { Set(hits.map(\.id)) }

    /// What people type, and the posts it must find.
    @Test(
        arguments: [
            ("Kim Jong-un", [spellings]),
            ("Kim Jong Un", [spellings]),
            ("Kim Jongun", [spellings]),
            ("kim jong-un", [spellings]),
            ("Jang Song-thaek", [spellings]),
            ("Jang Song Thaek", [spellings]),
            ("Heung-kwang", [spellings]),
            ("sanction", [spellings, Fixtures.post]),
            ("DPRK", [visit]),
            ("D.P.R.K.", [visit]),
            ("the DPRK's capital", [visit]),
            ("UN envoy", [visit]),
            ("\"supported by Russia\"", [visit]),
            ("“supported by Russia”", [visit]),
            ("vet*", [visit]),
            ("postpone", [visit]),
            ("envoy OR defector", [visit, spellings]),
            ("envoy NOT veto", []),
            ("idle plants", [Fixtures.post]),
        ] as [(String, [Post])])
    func findsWhatPeopleType(query: String, posts: [Post]) throws {
        let folder = try ScratchFolder()
        let hits = try replica(folder).search(query, limit: 50)
        #expect(ids(hits) == Set(posts.map(\.id.rawValue)), "\(query)")
    }

    /// None of these may raise an FTS5 or SQLite error: each is read as words.
    @Test(arguments: [
        "\"hard currency", "AND", "title:(", "sanctions)", "Kim Jong-un", "O'Brien's \"quote", "NOT sanctions",
        "sanctions OR", "OR OR AND", "(a OR", "^sanctions", "+currency -idle", "near(hard currency)", "col:umn",
        "hard \" currency \" \"", "*", "sanction**", "a*b", "{title body}: x", "'", "“unbalanced", "NEAR/3",
        "title : sanctions", "-", "\u{0}nul", "😀 emoji", "D.P.R.K.’s", "ＵＮ", "a - b",
    ])
    func neverAnSQLError(query: String) throws {
        let folder = try ScratchFolder()
        let replica = try replica(folder)
        do {
            _ = try replica.search(query)
        } catch {
            // Only a query without a single word is refused, in one line that names no SQL.
            #expect(error.code == .invalidInput && error.message.hasPrefix("the search query has no word"))
            #expect(SearchQuery(query).expression == nil)
        }
    }

    @Test func aQueryIsQuotedWordsAndOperators() {
        #expect(SearchQuery("sanctions").expression == "\"sanctions\"")
        #expect(SearchQuery("sanction* OR Kim").expression == "\"sanction\"* OR \"kim\"")
        #expect(SearchQuery("Jong-un").expression == "(\"jong un\" OR \"jongun\")")
        #expect(SearchQuery("DPRK").expression == "(\"dprk\" OR \"d p r k\")")
        #expect(SearchQuery("OR x NOT").expression == "\"x\"")
        #expect(SearchQuery("()*:^").expression == nil)
    }

    @Test func filtersByDayVisibilityAndGroup() throws {
        let folder = try ScratchFolder()
        let replica = try replica(folder)
        let shared = try replica.annotate(post: Self.visit.id.rawValue, quote: "would probably veto", note: "envoy")
        let mine = try replica.annotate(
            post: Self.spellings.id.rawValue, quote: "Kim Jongun", occurrence: 3, note: "envoy", visibility: .private)

        // The dated post (3 June 2024) and the notes (written now); the undated post only without dates.
        #expect(ids(try replica.search("envoy")) == [Self.visit.id.rawValue, shared.rawValue, mine.rawValue])
        let june = SearchScope(since: Post.day(from: "2024-06-03"), until: Post.day(from: "2024-06-03"))
        #expect(ids(try replica.search("envoy", scope: june)) == [Self.visit.id.rawValue])
        let before = SearchScope(until: Post.day(from: "2024-06-02"))
        #expect(try replica.search("envoy", scope: before).isEmpty)
        let recent = SearchScope(since: Post.day(from: "2025-01-01"))
        #expect(ids(try replica.search("envoy", scope: recent)) == [shared.rawValue, mine.rawValue])

        // A note by its visibility; a post when it carries such a note.
        let privately = SearchScope(visibility: .private)
        #expect(ids(try replica.search("envoy", scope: privately)) == [mine.rawValue])
        #expect(ids(try replica.search("spellings", scope: privately)) == [Self.spellings.id.rawValue])
        #expect(try replica.search("envoy", scope: SearchScope(visibility: .group("north"))).isEmpty)

        // The same in date order, whose dates are read before any version is decoded.
        let recentByDate = SearchScope(since: Post.day(from: "2025-01-01"), order: .date)
        #expect(ids(try replica.search("envoy", scope: recentByDate)) == [shared.rawValue, mine.rawValue])
        let privatelyByDate = SearchScope(visibility: .private, order: .date)
        #expect(try replica.search("envoy", scope: privatelyByDate).map(\.id) == [mine.rawValue])
        #expect(try replica.search("spellings", scope: privatelyByDate).map(\.id) == [Self.spellings.id.rawValue])
    }

    @Test func sortsByDateNewestFirstUndatedLast() throws {
        let folder = try ScratchFolder()
        let replica = try Fixtures.replica(in: folder, posts: Self.file.posts)
        let note = try replica.annotate(
            post: Self.spellings.id.rawValue, quote: "Kim Jong Un", occurrence: 2, note: "the U.N. panel")
        let hits = try replica.search("UN", scope: SearchScope(order: .date))
        #expect(hits.map(\.id) == [note.rawValue, Self.visit.id.rawValue, Self.spellings.id.rawValue])
        #expect(try replica.search("UN", scope: SearchScope(order: .date), limit: 1).map(\.id) == [note.rawValue])
        // The same hits as by rank, only in another order.
        #expect(Set(hits.map(\.id)) == Set(try replica.search("UN").map(\.id)))
    }

    @Test(arguments: [
        ("2 May 2024", "2024-05-02"), ("12 March 2024", "2024-03-12"), ("May 2, 2024", "2024-05-02"),
        ("2024-05-02", "2024-05-02"), ("2 Jan. 2024", "2024-01-02"),
    ])
    func postDays(text: String, iso: String) throws {
        let day = try #require(Post.day(from: text))
        #expect(day.formatted(.iso8601.year().month().day()) == iso)
    }

    @Test(arguments: ["", "yesterday", "31 February 2024", "2024-13-01", "May 2024", "2 Maybe 2024"])
    func notDays(text: String) {
        #expect(Post.day(from: text) == nil)
    }
}
