import Foundation
import NKProtocol
import NKTestSupport
import Testing

@testable import NKServer

/// A server store on a fresh temporary database, removed when the fixture goes away.
final class StoreFixture: Sendable {
    let folder: TemporaryFolder
    let store: ServerStore
    var databasePath: String { folder.path("server.sqlite") }

    init() throws {
        folder = try TemporaryFolder("nkserver-tests")
        store = try ServerStore(path: folder.path("server.sqlite"))
    }

    deinit { folder.remove() }

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
