import Foundation
import GRDB
import NKProtocol

@testable import NKClient

/// A temporary folder removed when the value is released.
final class ScratchFolder: Sendable {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("nkclient-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }
}

/// Sample data and replicas for the client tests.
enum Fixtures {
    static let post = Post(
        title: "Seafood ban leaves processing plants idle",
        body: [
            "Plants stood idle after the latest round of sanctions hit exports.",
            "Analysts note that hard currency is short. The latest round was the third.",
        ],
        category: "China", source: "Reuters")

    static let otherPost = Post(
        title: "Rail link opens", body: ["The rail link opened on time."], category: "Transport")

    static let serverReplica = ReplicaID("server")

    /// A post version as the server's import writes it.
    static func postVersion(_ post: Post = post, counter: UInt64 = 1) -> RecordVersion {
        RecordVersion(version: VersionVector([serverReplica: counter]), editor: "admin", body: .post(post))
    }

    /// A replica in a temporary folder for `user`, holding `posts` as already pulled.
    static func replica(
        user: String = "alice", replica: String = "rep-alice", in folder: ScratchFolder, posts: [Post] = [post]
    ) throws -> Replica {
        let home = ReplicaHome(url: folder.url.appendingPathComponent(user))
        let config = ClientConfig(
            server: "http://server.test", token: "token-\(user)", user: user, replica: ReplicaID(replica))
        let made = try Replica.create(home: home, config: config, replacing: false)
        try made.write { db in
            for post in posts { try ReplicaStore.applyRemote(db, postVersion(post)) }
        }
        return made
    }

    /// An annotation body on ``post``.
    static func annotation(
        id: AnnotationID = AnnotationID("6f1c2a3b-0000-4000-8000-000000000001"), note: String = "a note",
        tags: [String] = [], visibility: Visibility = .shared, author: String = "alice"
    ) -> Annotation {
        let anchor = try! Anchor.locate("hard currency", in: post.text)
        return Annotation(
            id: id, postId: post.id, anchor: anchor, note: note, tags: tags, visibility: visibility, author: author,
            createdAt: Date(timeIntervalSince1970: 0), updatedAt: Date(timeIntervalSince1970: 0))
    }

    static func vector(_ counters: [String: UInt64]) -> VersionVector {
        VersionVector(Dictionary(uniqueKeysWithValues: counters.map { (ReplicaID($0.key), $0.value) }))
    }
}

extension Replica {
    /// The held versions of one record, in sibling order, with their pending flags.
    func held(_ id: String, type: RecordType = .annotation) throws -> [StoredVersion] {
        try read { db in try StoredVersion.fetchFrontier(db, type: type, id: id) }
    }

    /// Applies versions as if pulled.
    @discardableResult
    func applyRemote(_ versions: RecordVersion...) throws -> [ApplyStatus] {
        try write { db in try versions.map { try ReplicaStore.applyRemote(db, $0) } }
    }
}
