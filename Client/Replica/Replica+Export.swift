import Foundation
import GRDB
import NKProtocol

/// The two export formats of `nkclient export`.
public enum ExportFormat: String, CaseIterable, Sendable {
    /// One Markdown section per post: title, source, quoted passages and notes.
    case markdown
    /// A W3C Web Annotation `AnnotationCollection` (JSON-LD).
    case w3c
}

/// Annotations ready to export: each re-anchored in its post's current text.
struct ExportSet {
    var posts: [PostID: Post] = [:]
    /// Annotations whose anchors are placed in the current text (unchanged when orphaned).
    var annotations: [Annotation] = []
    var statuses: [AnnotationID: AnchorStatus] = [:]
}

extension Replica {
    /// The annotations (of one post, with one tag, if given) as a document in `format`.
    ///
    /// Only non-deleted annotations are exported; each is re-anchored in its post's current text, so
    /// the quote and selectors match the text as it reads now (an orphaned one keeps its quote; the
    /// W3C export then leaves out its position selector, the Markdown export says it is orphaned).
    public func export(
        _ format: ExportFormat, post postIdOrPrefix: String? = nil, tag: String? = nil, generated: Date? = nil
    ) throws(ClientError) -> Data {
        let set = try exportSet(post: postIdOrPrefix, tag: tag)
        switch format {
        case .markdown:
            let document = MarkdownExport.document(
                posts: Array(set.posts.values), annotations: set.annotations, statuses: set.statuses)
            return Data(document.utf8)
        case .w3c:
            do {
                return try W3CExport.collection(
                    annotations: set.annotations, posts: set.posts, baseURL: nil, generated: generated ?? now())
            } catch {
                throw ClientError(.invalidInput, "cannot export as W3C annotations: \(error.description)")
            }
        }
    }

    func exportSet(post postIdOrPrefix: String?, tag: String?) throws(ClientError) -> ExportSet {
        try read { db in
            var postId: PostID?
            if let postIdOrPrefix {
                postId = PostID(try ReplicaStore.resolveID(db, type: .post, prefix: postIdOrPrefix))
            }
            var cache = PostCache()
            var set = ExportSet()
            for siblings in try ReplicaStore.frontiers(db, type: .annotation, postId: postId).values {
                // A conflicted annotation exports its first non-deleted sibling (in sibling order, as
                // `notes` shows it); an annotation whose every sibling is a tombstone is left out.
                guard let version = ReplicaStore.firstLive(siblings), case .annotation(var annotation) = version.body
                else { continue }
                if let tag, !annotation.tags.contains(where: { NoteFilter.same($0, tag) }) { continue }
                let post = try cache.post(db, annotation.postId)
                let placed = Self.place(annotation.anchor, in: post)
                if placed.status != .orphaned { annotation.anchor = placed.anchor }
                set.statuses[annotation.id] = placed.status
                set.annotations.append(annotation)
                if let post { set.posts[post.post.id] = post.post }
            }
            return set
        }
    }
}
