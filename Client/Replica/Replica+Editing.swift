import GRDB
import NKProtocol

extension Replica {
    /// Creates an annotation on a post, anchored to `quote`, and returns its new id. Tags are merged
    /// case-insensitively, each spelled as the replica first holds it (``spelledAsHeld(_:)``).
    ///
    /// - Parameter occurrence: which occurrence of the quote (from 1); needed when it occurs more than once.
    @discardableResult
    public func annotate(
        post postIdOrPrefix: String, quote: String, occurrence: Int? = nil, note: String = "", tags: [String] = [],
        visibility: Visibility = .shared
    ) throws(ClientError) -> AnnotationID {
        let user = config.user
        let replica = config.replica
        let date = now()
        let tags = try spelledAsHeld(tags)
        return try write { db in
            let postId = try ReplicaStore.resolveID(db, type: .post, prefix: postIdOrPrefix)
            let (post, postVersion) = try Self.livePostVersion(db, id: postId)
            var anchor: Anchor
            do {
                anchor = try Anchor.locate(quote, in: post.text, occurrence: occurrence)
            } catch let error as AnchorError {
                throw ClientError(.invalidInput, error.description)
            }
            // The version the quote was read in, so a later correction of the post is recognised.
            anchor.postVersion = postVersion
            let annotation = Annotation(
                id: AnnotationID.random(), postId: post.id, anchor: anchor, note: note, tags: tags,
                visibility: visibility, author: user, createdAt: date, updatedAt: date)
            let version = RecordVersion(
                version: Frontier.localEdit(of: [], by: replica), editor: user, body: .annotation(annotation))
            try ReplicaStore.writeLocal(db, version, by: replica)
            return annotation.id
        }
    }

    /// Edits an annotation's note, tags or visibility. The new version has seen every sibling,
    /// so editing a conflicted annotation resolves it. Returns the new version vector. Tags are merged
    /// case-insensitively, each spelled as the replica first holds it (``spelledAsHeld(_:)``).
    @discardableResult
    public func edit(
        _ idOrPrefix: String, note: String? = nil, tags: [String]? = nil, visibility: Visibility? = nil
    ) throws(ClientError) -> VersionVector {
        guard note != nil || tags != nil || visibility != nil else {
            throw ClientError(.invalidInput, "nothing to change: give --note, --tag or --visibility")
        }
        let tags = try tags.map { tags throws(ClientError) in try spelledAsHeld(tags) }
        return try writeAnnotation(idOrPrefix, rejected: true) { siblings, user in
            guard var annotation = Self.liveAnnotation(siblings) else {
                throw ClientError(.notFound, "the annotation \(siblings[0].version.id) was deleted")
            }
            if let visibility, visibility != annotation.visibility, annotation.author != user {
                throw ClientError(
                    .notAllowed,
                    "only the author (\(annotation.author)) can change the visibility of annotation \(annotation.id)")
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
        try writeAnnotation(idOrPrefix) { siblings, user in
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
        try writeAnnotation(idOrPrefix) { siblings, user in
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

    /// Writes one new local version of an annotation: `change` gets the frontier (in sibling order)
    /// and returns the new body and deleted flag; the vector is merge(all).incremented(for: me).
    ///
    /// With `rejected`, an outstanding rejected version of the record comes first in what `change`
    /// gets (the user's own words are what they fix), and the new version's vector merges it with
    /// the held versions it had seen: it replaces the rejected one, which is settled, while a server
    /// version written meanwhile by someone else stays beside it as a conflict, never overwritten.
    func writeAnnotation(
        _ idOrPrefix: String, rejected useRejected: Bool = false,
        _ change: ([StoredVersion], String) throws -> (Annotation, Bool)
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
            var (annotation, deleted) = try change(siblings, user)
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
