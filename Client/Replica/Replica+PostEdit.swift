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
        let detail = try post(idOrPrefix)
        if let conflict = detail.conflict {
            throw ClientError(
                .inConflict,
                "post \(detail.post.id.rawValue) is in conflict (\(conflict.versions) versions); settle it first with "
                    + "nkclient resolve \(detail.post.id.rawValue) (nkclient conflicts shows what differs)")
        }
        let post = detail.post
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
        var post = try Self.parseOnePost(text)
        let user = config.user
        let replica = config.replica
        return try write { db in
            let id = try ReplicaStore.resolveID(db, type: .post, prefix: idOrPrefix)
            let siblings = try StoredVersion.fetchFrontier(db, type: .post, id: id)
            guard siblings.count <= 1 else {
                throw ClientError(
                    .inConflict,
                    "post \(id) is in conflict (\(siblings.count) versions); settle it first with nkclient resolve \(id) "
                        + "(nkclient conflicts shows what differs)")
            }
            let current = try Self.livePost(db, id: id)
            post.id = current.id
            post.url = current.url
            return try Self.writeCorrection(db, post, siblings: siblings, user: user, replica: replica)
        }
    }

    /// Settles a post in conflict with one version that has seen every sibling: sibling `pick`
    /// (0-based, as `conflicts` lists them) or the post in `text` (the dump format of one post,
    /// as `post edit` reads it). Returns the new version's vector.
    @discardableResult
    public func resolvePost(_ idOrPrefix: String, pick: Int? = nil, text: String? = nil) throws(ClientError)
        -> VersionVector
    {
        var parsed: Post?
        if let text { parsed = try Self.parseOnePost(text) }
        let user = config.user
        let replica = config.replica
        return try write { db in
            let id = try ReplicaStore.resolveID(db, type: .post, prefix: idOrPrefix)
            let siblings = try StoredVersion.fetchFrontier(db, type: .post, id: id)
            guard siblings.count > 1 else {
                throw ClientError(.notInConflict, "the post \(id) is not in conflict")
            }
            let posts = siblings.compactMap { sibling -> Post? in
                if case .post(let post) = sibling.version.body { return post }
                return nil
            }
            var post: Post
            if let pick {
                guard posts.indices.contains(pick) else {
                    throw ClientError(
                        .invalidInput,
                        "there is no version \(pick); choose 0...\(posts.count - 1) as listed by conflicts")
                }
                post = posts[pick]
            } else if var edited = parsed {
                edited.id = posts[0].id
                edited.url = edited.url ?? posts.first { $0.url != nil }?.url
                post = edited
            } else {
                throw ClientError(.invalidInput, "give --pick N, --file F, or neither to edit both versions")
            }
            post.id = PostID(id)
            if let failure = Self.validationFailure(of: post) {
                throw ClientError(.invalidInput, "the post: \(failure.message)")
            }
            let vector = Frontier.localEdit(of: siblings.map(\.version.version), by: replica)
            return try ReplicaStore.writeLocal(
                db, RecordVersion(version: vector, editor: user, body: .post(post)), by: replica
            ).version
        }
    }

    /// A post in conflict as text for an editor: the dump format of one post, where the versions
    /// differ marked as git marks a merge (`<<<<<<< version 0`, `=======`, `>>>>>>> version 1`).
    /// Paragraphs the versions share appear once; with more than two versions, or when a field
    /// other than the paragraphs differs, each version's whole text is a block of its own.
    public func conflictText(_ idOrPrefix: String) throws(ClientError) -> (id: PostID, text: String) {
        try read { db in
            let id = try ReplicaStore.resolveID(db, type: .post, prefix: idOrPrefix)
            let siblings = try StoredVersion.fetchFrontier(db, type: .post, id: id)
            let posts = siblings.compactMap { sibling -> Post? in
                if case .post(let post) = sibling.version.body { return post }
                return nil
            }
            guard posts.count > 1 else { throw ClientError(.notInConflict, "the post \(id) is not in conflict") }
            return (PostID(id), ConflictMarkers.text(of: posts, editors: siblings.map(\.version.editor)))
        }
    }

    /// Writes a corrected post unless a current non-deleted version already holds it.
    static func writeCorrection(
        _ db: Database, _ post: Post, siblings: [StoredVersion], user: String, replica: ReplicaID
    ) throws -> PostEdit {
        if let failure = validationFailure(of: post) {
            throw ClientError(.invalidInput, "the post: \(failure.message)")
        }
        if siblings.contains(where: { !$0.version.deleted && $0.version.body == .post(post) }) { return .unchanged }
        let vector = Frontier.localEdit(of: siblings.map(\.version.version), by: replica)
        return .updated(
            try ReplicaStore.writeLocal(
                db, RecordVersion(version: vector, editor: user, body: .post(post)), by: replica
            )
            .version)
    }

    /// The one post of a text in the dump format.
    static func parseOnePost(_ text: String) throws(ClientError) -> Post {
        if let marker = ConflictMarkers.firstMarkerLine(in: text) {
            throw ClientError(
                .invalidInput, "line \(marker): a conflict marker is left; keep what you want and remove the markers")
        }
        let parsed: CorpusFile
        do {
            parsed = try CorpusParser.parse(text)
        } catch {
            throw ClientError(.invalidInput, "line \(error.line): \(error.message)")
        }
        guard parsed.posts.count == 1, let post = parsed.posts.first else {
            throw ClientError(
                .invalidInput, "the text holds \(parsed.posts.count) posts; give exactly one")
        }
        return post
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
