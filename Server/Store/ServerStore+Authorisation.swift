import GRDB
import NKProtocol

extension ServerStore {
    /// Checks who may write this annotation version and returns it with its author set:
    /// the token's user for a new annotation, the existing author otherwise.
    static func authorise(
        _ db: Database,
        _ annotation: Annotation,
        deleted: Bool,
        vector: VersionVector,
        frontier: [(row: VersionRecord, vector: VersionVector)],
        user: AuthenticatedUser
    ) throws -> Annotation {
        var annotation = annotation
        guard let existing = frontier.first?.row else {
            annotation.author = user.name
            try checkQuote(db, annotation)
            return annotation
        }
        if let postId = existing.postId, postId != annotation.postId.rawValue {
            throw PushRejection("invalid_record", "an annotation cannot move to another post")
        }
        let author = existing.author ?? ""
        annotation.author = author
        guard author != user.name else { return annotation }
        guard annotation.visibility == .shared else {
            throw PushRejection.forbidden("only the author of an annotation ('\(author)') may make it private")
        }
        guard !deleted else {
            throw PushRejection.forbidden("only the author of an annotation ('\(author)') may delete it")
        }
        if frontier.contains(where: { vector.dominates($0.vector) && !$0.row.isReadable(by: user) }) {
            throw PushRejection.forbidden("this version would replace a private version of the annotation")
        }
        return annotation
    }

    /// A new annotation must quote text of a current, not deleted version of its post.
    static func checkQuote(_ db: Database, _ annotation: Annotation) throws {
        let postId = annotation.postId.rawValue
        let versions = try VersionRecord.frontier(db, type: .post, id: postId).filter { !$0.deleted }
        guard !versions.isEmpty else {
            throw PushRejection("unknown_post", "there is no post with id '\(postId)'; pull to get the current posts")
        }
        for row in versions {
            guard case .post(let post) = try row.recordVersion().body else { continue }
            do {
                _ = try Anchor.locate(annotation.anchor.exact, in: post.text)
                return
            } catch {
                switch error {
                case .notFound, .emptyQuote: continue
                case .ambiguous, .noSuchOccurrence: return
                }
            }
        }
        throw PushRejection(
            "quote_not_found",
            "the quoted text does not occur in the current text of post '\(postId)'; pull and re-anchor")
    }
}
