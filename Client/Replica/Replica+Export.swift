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
    /// Annotations whose anchors are placed in the current text (unchanged when orphaned); every
    /// version of one in conflict.
    var annotations: [ExportedAnnotation] = []
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
        try export(format, filter: ExportFilter(post: postIdOrPrefix, tag: tag), generated: generated)
    }

    /// The annotations that match `filter` as a document in `format`; each says who may see it, and
    /// an annotation in conflict is exported with every version, marked.
    public func export(_ format: ExportFormat, filter: ExportFilter, generated: Date? = nil) throws(ClientError)
        -> Data
    {
        let set = try exportSet(filter)
        switch format {
        case .markdown:
            let document = MarkdownExport.document(
                posts: Array(set.posts.values), exported: set.annotations, statuses: set.statuses)
            return Data(document.utf8)
        case .w3c:
            do {
                return try W3CExport.collection(
                    exported: set.annotations, posts: set.posts, baseURL: nil, generated: generated ?? now())
            } catch {
                throw ClientError(.invalidInput, "cannot export as W3C annotations: \(error.description)")
            }
        }
    }

    func exportSet(_ filter: ExportFilter) throws(ClientError) -> ExportSet {
        try read { db in
            var postId: PostID?
            if let post = filter.post {
                postId = PostID(try ReplicaStore.resolveID(db, type: .post, prefix: post))
            }
            var cache = PostCache()
            var set = ExportSet()
            for siblings in try ReplicaStore.frontiers(db, type: .annotation, postId: postId).values {
                // An annotation whose every sibling is a tombstone is left out; one in conflict is
                // exported with all its versions (tombstones too, marked) when any live one matches.
                let versions = siblings.compactMap { sibling -> (Annotation, Bool, String)? in
                    guard case .annotation(let annotation) = sibling.version.body else { return nil }
                    return (annotation, sibling.version.deleted, sibling.version.version.canonical)
                }
                guard versions.contains(where: { !$0.1 && filter.matches($0.0) }) else { continue }
                guard let first = versions.first(where: { !$0.1 })?.0 else { continue }
                let post = try cache.post(db, first.postId)
                let placed = Self.place(first.anchor, in: post)
                if let placed { set.statuses[first.id] = placed.status }
                for (index, (annotation, deleted, vector)) in versions.enumerated() {
                    var annotation = annotation
                    if let placed, placed.status != .orphaned {
                        annotation.anchor = Self.place(annotation.anchor, in: post)?.anchor
                    }
                    let conflict =
                        versions.count > 1
                        ? ConflictVersion(index: index, count: versions.count, version: vector, deleted: deleted)
                        : nil
                    set.annotations.append(ExportedAnnotation(annotation, conflict: conflict))
                }
                if let post { set.posts[post.post.id] = post.post }
            }
            return set
        }
    }
}
