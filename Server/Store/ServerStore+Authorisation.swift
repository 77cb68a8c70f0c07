import Foundation
import GRDB
import NKProtocol

extension ServerStore {
    /// Checks who may write this annotation version and returns it as the server records it: the
    /// author is the token's user for a new annotation and the existing author otherwise; `createdAt`
    /// is the server's clock for a new annotation and the held one otherwise; `updatedAt` is the
    /// server's clock. Nothing the request says about who or when is kept.
    ///
    /// - A new annotation may have any visibility, but `group:G` only when its author is in G.
    /// - An existing one: its author may do anything (a new `group:G` again needs membership);
    ///   anyone else needs a current non-private version they can read, must keep that version's
    ///   visibility, may not delete, and may not replace a version they cannot read.
    static func authorise(
        _ db: Database,
        _ annotation: Annotation,
        deleted: Bool,
        vector: VersionVector,
        frontier: [(row: VersionRecord, vector: VersionVector)],
        user: AuthenticatedUser,
        at now: Date,
        context: PushContext = PushContext()
    ) throws -> Annotation {
        var annotation = annotation
        annotation.updatedAt = now
        guard let existing = frontier.first?.row else {
            annotation.author = user.name
            annotation.createdAt = now
            try checkGroup(db, annotation.visibility, user: user)
            try checkQuote(db, annotation, context: context)
            return annotation
        }
        if let postId = existing.postId, postId != annotation.postId.rawValue {
            throw PushRejection("invalid_record", "an annotation cannot move to another post")
        }
        let author = existing.author ?? ""
        annotation.author = author
        annotation.createdAt = try earliestCreation(frontier.map(\.row)) ?? now
        let held = Set(frontier.compactMap(\.row.visibility))
        if author == user.name {
            if !held.contains(annotation.visibility.rawValue) {
                try checkGroup(db, annotation.visibility, user: user)
            }
            return annotation
        }
        let access = try ReadAccess.load(db, user: user)
        let readable = frontier.filter { $0.row.isReadable(by: access) && $0.row.visibility != "private" }
        guard !readable.isEmpty else {
            throw PushRejection.forbidden("this annotation is not shared with you; only its author may change it")
        }
        guard !deleted else {
            throw PushRejection.forbidden("only the author of an annotation ('\(author)') may delete it")
        }
        guard readable.contains(where: { $0.row.visibility == annotation.visibility.rawValue }) else {
            throw PushRejection.forbidden(
                "only the author of an annotation ('\(author)') may change its visibility")
        }
        if frontier.contains(where: { vector.dominates($0.vector) && !$0.row.isReadable(by: access) }) {
            throw PushRejection.forbidden("this version would replace a version of the annotation you cannot read")
        }
        return annotation
    }

    /// `group:G` needs G to exist (`unknown_group`) and the user to be a member (`forbidden`).
    static func checkGroup(_ db: Database, _ visibility: Visibility, user: AuthenticatedUser) throws {
        guard case .group(let name) = visibility else { return }
        guard let group = try GroupRecord.filter(GroupRecord.Columns.name == name).fetchOne(db), let id = group.id
        else {
            throw PushRejection("unknown_group", "there is no group named '\(name)'; ask the server's admin")
        }
        guard try GroupMemberRecord.fetchOne(db, key: ["groupId": id, "userId": user.id]) != nil else {
            throw PushRejection.forbidden("you are not a member of group '\(name)'")
        }
    }

    /// The earliest `createdAt` among the held versions of an annotation.
    private static func earliestCreation(_ rows: [VersionRecord]) throws -> Date? {
        try rows.compactMap { row -> Date? in
            guard case .annotation(let held) = try row.recordVersion().body else { return nil }
            return held.createdAt
        }.min()
    }

    /// A new annotation must quote text of a current, not deleted version of its post.
    static func checkQuote(_ db: Database, _ annotation: Annotation, context: PushContext = PushContext()) throws {
        let postId = annotation.postId.rawValue
        let texts = try context.postTexts(db, postId: postId)
        guard !texts.isEmpty else {
            throw PushRejection("unknown_post", "there is no post with id '\(postId)'; pull to get the current posts")
        }
        for text in texts {
            do {
                _ = try Anchor.locate(annotation.anchor.exact, in: text)
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
