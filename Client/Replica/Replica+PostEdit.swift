import GRDB
import NKProtocol

/// What `nkclient post edit` did.
public enum PostEdit: Hashable, Sendable {
    /// The text holds the post as it is: nothing was written.
    case unchanged
    /// A new local version (pending) with this vector.
    case updated(VersionVector)
}

extension Replica {
    /// The post (by id or unique prefix) in the blog-dump format of one post, for an editor.
    public func postDump(_ idOrPrefix: String) throws(ClientError) -> (id: PostID, text: String) {
        let post = try post(idOrPrefix).post
        return (post.id, PostDump.text(of: post))
    }

    /// Records a corrected version of a post from `text`, in the dump format of exactly one post.
    ///
    /// The post keeps its id even when the title changes, and its URL (which the format does not
    /// carry). When a current non-deleted version already has this content nothing is written;
    /// otherwise a pending local version that dominates every sibling is written, and the notes on
    /// the post re-anchor to the new text.
    ///
    /// - Throws: ``ClientError/Code/invalidInput`` naming the line when the text does not parse,
    ///   holds more or fewer than one post, or breaks the record limits; nothing is written then.
    public func editPost(_ idOrPrefix: String, text: String) throws(ClientError) -> PostEdit {
        let parsed: CorpusFile
        do {
            parsed = try CorpusParser.parse(text)
        } catch {
            throw ClientError(.invalidInput, "line \(error.line): \(error.message)")
        }
        guard parsed.posts.count == 1, var post = parsed.posts.first else {
            throw ClientError(
                .invalidInput, "the text holds \(parsed.posts.count) posts; post edit takes exactly one")
        }
        let user = config.user
        let replica = config.replica
        return try write { db in
            let id = try ReplicaStore.resolveID(db, type: .post, prefix: idOrPrefix)
            let current = try Self.livePost(db, id: id)
            post.id = current.id
            post.url = current.url
            if let failure = Self.validationFailure(of: post) {
                throw ClientError(.invalidInput, "the post: \(failure.message)")
            }
            switch try Self.writePost(db, post, user: user, replica: replica) {
            case .unchanged:
                return .unchanged
            case .new, .updated:
                return .updated(try StoredVersion.fetchFrontier(db, type: .post, id: id)[0].version.version)
            }
        }
    }

    private static func validationFailure(of post: Post) -> ValidationFailure? {
        do {
            try post.validate()
            return nil
        } catch {
            return error
        }
    }
}
