import Foundation
import Logging
import NKProtocol
import NKTestSupport
import Synchronization
import Testing

@testable import NKServer

/// The stores the conformance suite runs against: SQLite always, PostgreSQL when the tests have
/// one (`scripts/test.sh` starts it; `PostgresAvailabilityTests` reports it skipped, and why, when not).
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    static var available: [StoreKind] { TestPostgres.isAvailable ? [.sqlite, .postgres] : [.sqlite] }

    var testDescription: String { rawValue }
}

/// A server store on a fresh database: a temporary SQLite file, or a new PostgreSQL database
/// dropped when the fixture goes away.
final class StoreFixture: Sendable {
    let kind: StoreKind
    let folder: TemporaryFolder
    let store: any ServerStore
    /// The PostgreSQL database's URL (postgres only).
    let postgresURL: String?
    var databasePath: String { folder.path("server.sqlite") }
    /// The PostgreSQL stores' ``PostgresStore/run()``, as a server's service group would run them,
    /// until the fixture goes away.
    private let runs: Mutex<[Task<Void, Never>]>

    /// - Parameter logger: the store's logger (errors only when nil).
    init(_ kind: StoreKind = .sqlite, logger: Logger? = nil) async throws {
        self.kind = kind
        folder = try TemporaryFolder("nkserver-tests")
        switch kind {
        case .sqlite:
            store = try SQLiteStore(path: folder.path("server.sqlite"), logger: logger ?? Self.quietLogger)
            postgresURL = nil
            runs = Mutex([])
        case .postgres:
            let url = try await TestPostgres.createDatabase()
            postgresURL = url
            let postgres = try await PostgresStore.open(url: try PostgresURL(url), logger: logger ?? Self.quietLogger)
            store = postgres
            runs = Mutex([Task { await postgres.run() }])
        }
    }

    /// Opens a second store on the same database, as another process would.
    func openAgain() async throws -> any ServerStore {
        switch kind {
        case .sqlite:
            return try SQLiteStore(path: databasePath, logger: Self.quietLogger)
        case .postgres:
            let postgres = try await PostgresStore.open(
                url: try PostgresURL(postgresURL ?? ""), logger: Self.quietLogger)
            runs.withLock { $0.append(Task { await postgres.run() }) }
            return postgres
        }
    }

    /// The store's long-poll notifier.
    func changeNotifier() throws -> ChangeNotifier {
        try #require((store as? SQLiteStore)?.changeNotifier ?? (store as? PostgresStore)?.changeNotifier)
    }

    static let quietLogger: Logger = {
        var logger = Logger(label: "nkserver-tests")
        logger.logLevel = .error
        return logger
    }()

    deinit {
        if let postgresURL {
            for run in runs.withLock({ $0 }) { run.cancel() }
            TestPostgres.dropDatabase(postgresURL)
        }
        folder.remove()
    }

    /// Adds a user and returns them as a request would see them, with their token.
    func user(_ name: String, readOnly: Bool = false) async throws -> (user: AuthenticatedUser, token: String) {
        let token = try await store.addUser(name: name, readOnly: readOnly)
        let user = try #require(try await store.authenticate(token: token))
        return (user, token)
    }
}

/// Builds vectors from literals: `vector(["a": 1, "b": 2])`.
func vector(_ counters: [String: UInt64]) -> VersionVector {
    VersionVector(Dictionary(uniqueKeysWithValues: counters.map { (ReplicaID($0.key), $0.value) }))
}

enum Sample {
    static let post = Post(
        title: "Dandong traders report slower winter crossings",
        body: [
            "Truck drivers waiting at the Friendship Bridge say inspections have grown longer this winter.",
            "Customs officers declined to say whether the new checks were linked to sanctions.",
        ],
        category: "Border Trade",
        source: "Sample Wire"
    )

    static func postVersion(
        _ counters: [String: UInt64], post: Post = Sample.post, deleted: Bool = false, editor: String? = nil
    ) -> RecordVersion {
        RecordVersion(version: vector(counters), deleted: deleted, editor: editor, body: .post(post))
    }

    static func annotation(
        id: AnnotationID = .random(),
        post: Post = Sample.post,
        quote: String = "Friendship Bridge",
        note: String = "Check the date of this.",
        visibility: Visibility = .shared,
        author: String = "someone-else"
    ) throws -> Annotation {
        let anchor = try Anchor.locate(quote, in: post.text)
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        return Annotation(
            id: id, postId: post.id, anchor: anchor, note: note, tags: ["trade"], visibility: visibility,
            author: author, createdAt: now, updatedAt: now)
    }

    static func annotationVersion(
        _ annotation: Annotation, _ counters: [String: UInt64], deleted: Bool = false
    ) -> RecordVersion {
        RecordVersion(version: vector(counters), deleted: deleted, body: .annotation(annotation))
    }

    /// A corpus file with these posts (title and one paragraph each).
    static func corpus(category: String = "Border Trade", posts: [(title: String, paragraph: String)]) -> String {
        var text = "Category: \(category)\n\n"
        for post in posts {
            text += "\(post.title)\n\nPosted on 1 March 2024 by A. Writer\n\n\(post.paragraph)\n\n[Sample Wire]\n\n"
        }
        return text
    }
}

extension ServerStore {
    /// ``ServerStore/changesJSON(user:since:limit:)`` decoded: the page as a client receives it.
    func changes(user: AuthenticatedUser, since: Int64, limit: Int) async throws -> PullResponse {
        try Wire.makeDecoder().decode(
            PullResponse.self, from: try await changesJSON(user: user, since: since, limit: limit))
    }
}
