import GRDB
import NKProtocol

extension Replica {
    /// Creates an annotation on a post, anchored to `quote` (nil: a note on the whole post), and returns
    /// its new id. Tags are merged case-insensitively, each spelled as the replica first holds it
    /// (``spelledAsHeld(_:)``).
    ///
    /// - Parameter occurrence: which occurrence of the quote (from 1); needed when it occurs more than once.
    @discardableResult
    public func annotate(
        post postIdOrPrefix: String, quote: String?, occurrence: Int? = nil, note: String = "", tags: [String] = [],
        visibility: Visibility = .shared
    ) throws(ClientError) -> AnnotationID {
        let user = config.user
        let replica = config.replica
        let date = now()
        let tags = try spelledAsHeld(tags)
        if quote == nil, occurrence != nil {
            throw ClientError(.invalidInput, "--occurrence needs --quote: a note on the whole post has no passage")
        }
        return try write { db in
            let postId = try ReplicaStore.resolveID(db, type: .post, prefix: postIdOrPrefix)
            let (post, postVersion) = try Self.livePostVersion(db, id: postId)
            let anchor = try quote.map { quote throws(ClientError) in
                try Self.anchor(quote, occurrence: occurrence, in: post, version: postVersion)
            }
            let annotation = Annotation(
                id: AnnotationID.random(), postId: post.id, anchor: anchor, note: note, tags: tags,
                visibility: visibility, author: user, createdAt: date, updatedAt: date)
            let version = RecordVersion(
                version: Frontier.localEdit(of: [], by: replica), editor: user, body: .annotation(annotation))
            try ReplicaStore.writeLocal(db, version, by: replica)
            return annotation.id
        }
    }

    /// The anchor of `quote` in the post's text, made on `version` of it.
    static func anchor(_ quote: String, occurrence: Int?, in post: Post, version: VersionVector) throws(ClientError)
        -> Anchor
    {
        var anchor: Anchor
        do {
            anchor = try Anchor.locate(quote, in: post.text, occurrence: occurrence)
        } catch {
            throw ClientError(.invalidInput, error.description)
        }
        // The version the quote was read in, so a later correction of the post is recognised.
        anchor.postVersion = version
        return anchor
    }

    /// Replies to an annotation (`replyTo`): a new annotation on the same post, with the visibility of
    /// the note it answers, and no passage. Returns its id.
    @discardableResult
    public func reply(to idOrPrefix: String, note: String, tags: [String] = []) throws(ClientError) -> AnnotationID {
        let user = config.user
        let replica = config.replica
        let date = now()
        let tags = try spelledAsHeld(tags)
        guard !note.allSatisfy(\.isWhitespace) else {
            throw ClientError(.invalidInput, "a reply needs a note: give --note TEXT")
        }
        return try write { db in
            let parentId = try ReplicaStore.resolveID(db, type: .annotation, prefix: idOrPrefix)
            let siblings = try StoredVersion.fetchFrontier(db, type: .annotation, id: parentId)
            guard !siblings.isEmpty else {
                throw ClientError(.notFound, "no annotation has the id '\(parentId)'")
            }
            guard let parent = Self.liveAnnotation(siblings) else {
                throw ClientError(.notFound, "the note \(parentId) was deleted; a reply to it cannot be added")
            }
            let annotation = Annotation(
                id: AnnotationID.random(), postId: parent.postId, anchor: nil, replyTo: parent.id, note: note,
                tags: tags, visibility: parent.visibility, author: user, createdAt: date, updatedAt: date)
            let version = RecordVersion(
                version: Frontier.localEdit(of: [], by: replica), editor: user, body: .annotation(annotation))
            try ReplicaStore.writeLocal(db, version, by: replica)
            return annotation.id
        }
    }

    /// Edits an annotation's note, tags or visibility, or moves it to another passage of the current
    /// version of its post (`quote`, re-attaching an orphaned note, say; a note on the whole post gets
    /// a passage). The new version has seen every sibling, so editing a conflicted annotation resolves
    /// it. Returns the new version vector. Tags are merged case-insensitively, each spelled as the
    /// replica first holds it (``spelledAsHeld(_:)``).
    @discardableResult
    public func edit(
        _ idOrPrefix: String, note: String? = nil, tags: [String]? = nil, visibility: Visibility? = nil,
        quote: String? = nil, occurrence: Int? = nil
    ) throws(ClientError) -> VersionVector {
        guard note != nil || tags != nil || visibility != nil || quote != nil else {
            throw ClientError(.invalidInput, "nothing to change: give --note, --tag, --visibility or --quote")
        }
        if quote == nil, occurrence != nil {
            throw ClientError(.invalidInput, "--occurrence needs --quote")
        }
        let tags = try tags.map { tags throws(ClientError) in try spelledAsHeld(tags) }
        return try writeAnnotation(idOrPrefix, rejected: true) { db, siblings, user in
            guard var annotation = Self.liveAnnotation(siblings) else {
                throw ClientError(.notFound, "the annotation \(siblings[0].version.id) was deleted")
            }
            if let visibility, visibility != annotation.visibility, annotation.author != user {
                throw ClientError(
                    .notAllowed,
                    "only the author (\(annotation.author)) can change the visibility of annotation \(annotation.id)")
            }
            if annotation.replyTo != nil {
                if quote != nil {
                    throw ClientError(.invalidInput, "a reply is on the note it answers, not on a passage")
                }
                if let visibility, visibility != annotation.visibility {
                    throw ClientError(
                        .notAllowed, "a reply keeps the visibility of the note it answers (\(annotation.visibility))")
                }
            }
            if let quote {
                let (post, postVersion) = try Self.livePostVersion(db, id: annotation.postId.rawValue)
                annotation.anchor = try Self.anchor(quote, occurrence: occurrence, in: post, version: postVersion)
            }
            if let note { annotation.note = note }
            if let tags { annotation.tags = Annotation.normalisedTags(tags) }
            if let visibility { annotation.visibility = visibility }
            return (annotation, false)
        }
    }

    /// Deletes an annotation: a tombstone version that keeps the last body. Returns its vector.
    @discardableResult
    public func delete(_ idOrPrefix: String) throws(ClientError) -> VersionVector {
        try writeAnnotation(idOrPrefix) { _, siblings, user in
            guard let annotation = Self.liveAnnotation(siblings) else {
                throw ClientError(.notFound, "the annotation \(siblings[0].version.id) is already deleted")
            }
            guard annotation.author == user else {
                throw ClientError(
                    .notAllowed, "only the author (\(annotation.author)) can delete annotation \(annotation.id)")
            }
            return (annotation, true)
        }
    }

    /// Resolves a conflicted annotation with one version that has seen every sibling.
    @discardableResult
    public func resolve(_ idOrPrefix: String, _ resolution: Resolution) throws(ClientError) -> VersionVector {
        try writeAnnotation(idOrPrefix) { _, siblings, user in
            guard siblings.count > 1 else {
                throw ClientError(.notInConflict, "the annotation \(siblings[0].version.id) is not in conflict")
            }
            let annotations = siblings.compactMap { sibling -> Annotation? in
                if case .annotation(let annotation) = sibling.version.body { return annotation }
                return nil
            }
            let result: (Annotation, Bool)
            switch resolution {
            case .pick(let index):
                guard annotations.indices.contains(index) else {
                    throw ClientError(
                        .invalidInput,
                        "there is no version \(index); choose 0...\(annotations.count - 1) as listed by conflicts")
                }
                result = (annotations[index], siblings[index].version.deleted)
            case .write(let note, let tags):
                var annotation = Self.liveAnnotation(siblings) ?? annotations[0]
                annotation.note = note
                annotation.tags = Annotation.normalisedTags(Self.mergedTags(tags ?? annotations.flatMap(\.tags)))
                result = (annotation, false)
            }
            try Self.checkAllowed(result.0, deleted: result.1, user: user)
            return result
        }
    }

    /// Writes one new local version of an annotation: `change` gets the transaction and the frontier (in sibling order)
    /// and returns the new body and deleted flag; the vector is merge(all).incremented(for: me).
    ///
    /// With `rejected`, an outstanding rejected version of the record comes first in what `change`
    /// gets (the user's own words are what they fix), and the new version's vector merges it with
    /// the held versions it had seen: it replaces the rejected one, which is settled, while a server
    /// version written meanwhile by someone else stays beside it as a conflict, never overwritten.
    func writeAnnotation(
        _ idOrPrefix: String, rejected useRejected: Bool = false,
        _ change: (Database, [StoredVersion], String) throws -> (Annotation, Bool)
    ) throws(ClientError) -> VersionVector {
        let user = config.user
        let replica = config.replica
        let date = now()
        return try write { db in
            let id = try ReplicaStore.resolveID(db, type: .annotation, prefix: idOrPrefix)
            var siblings = try StoredVersion.fetchFrontier(db, type: .annotation, id: id)
            var seen = siblings.map(\.version.version)
            let rejected = try useRejected ? ReplicaStore.outstandingRejection(db, type: .annotation, id: id) : nil
            if let rejected {
                seen = siblings.map(\.version.version).filter { rejected.version.version.dominates($0) }
                // The server never stored the rejected version: of its counters, only this replica's
                // own and those of the held versions it had seen may be claimed. (An edit of a retired
                // id, before new-replica, would be refused unknown_causality every time.)
                let known = VersionVector.merging(seen)
                seen.append(
                    VersionVector(
                        rejected.version.version.counters.filter { $0.key == replica || $0.value <= known[$0.key] }))
                var version = rejected.version
                version.editor = user
                siblings.insert(StoredVersion(version: version, pending: false), at: 0)
            }
            guard !siblings.isEmpty else {
                if try ReplicaStore.outstandingRejection(db, type: .annotation, id: id) != nil {
                    throw ClientError(
                        .notAllowed,
                        "the server rejected annotation \(id) and never stored it: nkclient edit changes it, "
                            + "nkclient discard \(id.prefix(8)) drops it")
                }
                throw ClientError(.notFound, "no annotation has the id '\(id)'")
            }
            var (annotation, deleted) = try change(db, siblings, user)
            annotation.updatedAt = date
            let vector = Frontier.localEdit(of: seen, by: replica)
            let written = try ReplicaStore.writeLocal(
                db, RecordVersion(version: vector, deleted: deleted, editor: user, body: .annotation(annotation)),
                by: replica
            ).version
            if rejected != nil {
                try ReplicaStore.settleRejections(db, type: .annotation, id: id, as: .edited, at: date)
            }
            return written
        }
    }

    /// The first non-deleted sibling's annotation.
    static func liveAnnotation(_ siblings: [StoredVersion]) -> Annotation? {
        guard let version = ReplicaStore.firstLive(siblings), case .annotation(let annotation) = version.body else {
            return nil
        }
        return annotation
    }

    /// The server's rule, checked before writing: someone else's annotation is never deleted and
    /// never written private (a non-author may edit the note and tags of a shared or group note).
    static func checkAllowed(_ annotation: Annotation, deleted: Bool, user: String) throws(ClientError) {
        guard annotation.author != user else { return }
        if deleted {
            throw ClientError(
                .notAllowed, "only the author (\(annotation.author)) can delete annotation \(annotation.id)")
        }
        if annotation.visibility == .private {
            throw ClientError(
                .notAllowed, "only the author (\(annotation.author)) can make annotation \(annotation.id) private")
        }
    }
}
