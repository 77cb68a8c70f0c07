import Foundation
import Logging
import NKProtocol

/// What the push rules need to know beyond a record's frontier. Each store answers from the
/// transaction the push runs in.
protocol PushFacts {
    /// What the pushing user may read now (their groups).
    func readAccess() throws -> ReadAccess
    /// Whether a group of this name exists.
    func groupExists(_ name: String) throws -> Bool
    /// The texts of the current, not deleted versions of a post (empty when there is none).
    func postTexts(_ postId: String) throws -> [String]
    /// Every user's name.
    func userNames() throws -> Set<String>
    /// The names of the members of a group (empty when there is no such group).
    func members(of group: String) throws -> Set<String>
    /// The current versions of an annotation (its frontier; empty when there is none), for a reply's parent.
    func annotationFrontier(_ id: String) throws -> [VersionRecord]
}

/// What a pushed version does to its record.
enum PushDecision {
    /// A held version dominates (or equals) it: nothing is written.
    case unchanged
    /// The record exists, but the user cannot know it (``PushRules/couldHaveHeld(_:access:)``), and
    /// the push would have been applied to a record of that id that did not exist: it is answered
    /// `applied`, as it would be then, and nothing is written. The store logs a warning.
    case withheld
    /// Store `version` and delete the held versions it dominates (`replacing`); `siblings` held
    /// versions stay beside it (a conflict when more than 0). `formerReaders`: the users who could
    /// read a replaced version (or were its former readers) and cannot read this one; nil when a
    /// replaced version predates the list.
    case store(RecordVersion, replacing: [VersionRecord], siblings: Int, formerReaders: [String]?)

    /// What the push reports for it.
    var status: PushStatus {
        switch self {
        case .unchanged: .unchanged
        case .withheld: .applied
        case .store(_, _, let siblings, _): siblings > 0 ? .conflict : .applied
        }
    }
}

/// The rules every store applies to a pushed version, whatever its database: validation, who may
/// write what, the server's stamps, and the frontier rule (see `docs/DESIGN.md`). Pure: the store
/// reads the frontier and the facts, and writes what the decision says.
enum PushRules {
    /// Refuses a push as a whole: a read-only user, a malformed replica id, the server's own.
    static func checkRequest(user: AuthenticatedUser, replica: ReplicaID, serverReplicaID: ReplicaID) throws {
        guard !user.readOnly else {
            throw ServerError(.readOnly, "user '\(user.name)' is read-only: pulling works, pushing does not")
        }
        guard RecordVersion.isPlainIdentifier(replica.rawValue) else {
            throw ServerError(
                .badRequest, "the replica id is not 1 to \(Limits.maxIdLength) letters, digits, '.', '_' or '-'")
        }
        guard replica != serverReplicaID else {
            throw ServerError(.replicaMismatch, "the replica id is the server's own; use the replica's own id")
        }
    }

    /// The error for a replica id bound to another user.
    static func replicaOfAnotherUser(_ replica: ReplicaID) -> ServerError {
        ServerError(
            .replicaMismatch,
            "replica '\(replica.rawValue)' belongs to another user; each user needs their own replica")
    }

    /// Checks one version before anything of its record is read: its limits (no NUL in any text,
    /// plain ids), and an edit by the pushing replica.
    ///
    /// - Throws: ``ValidationFailure`` or ``PushRejection``.
    static func checkVersion(_ version: RecordVersion, replica: ReplicaID) throws {
        try version.validate()
        guard version.version[replica] >= 1 else {
            throw PushRejection(
                .invalidVersion, "the version vector has no edit by the pushing replica '\(replica.rawValue)'")
        }
    }

    /// Reports one pushed version: checks it (limits, an edit by the pusher), then asks `decide`
    /// what to write. A ``ValidationFailure`` or ``PushRejection`` makes it `rejected` with its code
    /// and message, and nothing to write; any other error ends the whole push.
    ///
    /// - Returns: the item's result, and the decision to carry out when something is to be written
    ///   (or, for `withheld`, logged).
    static func item(
        _ version: RecordVersion, replica: ReplicaID, decide: () throws -> PushDecision
    ) throws -> (result: PushItemResult, write: PushDecision?) {
        try item(version, checked: Result { try checkVersion(version, replica: replica) }, decide: decide)
    }

    /// ``item(_:replica:decide:)`` for a version already checked with ``checkVersion(_:replica:)``
    /// (a store that reads the records of the valid versions of a batch first).
    static func item(
        _ version: RecordVersion, checked: Result<Void, any Error>, decide: () throws -> PushDecision
    ) throws -> (result: PushItemResult, write: PushDecision?) {
        var result = PushItemResult(type: version.type, id: version.id, version: version.version, status: .rejected)
        do {
            try checked.get()
            let decision = try decide()
            result.status = decision.status
            switch decision {
            case .store, .withheld: return (result, decision)
            case .unchanged: break
            }
        } catch let failure as ValidationFailure {
            result.code = failure.code
            result.message = failure.message
        } catch let rejection as PushRejection {
            result.code = rejection.code
            result.message = rejection.message
        }
        return (result, nil)
    }

    /// Authorises a valid version pushed by `replica` against its record's frontier (`held`, in
    /// sibling order) and decides what to write.
    ///
    /// - Throws: ``PushRejection`` when the user may not write it, or when its vector claims
    ///   edits the server never stored (``checkCausality(_:replica:frontier:)``).
    static func decide(
        _ incoming: RecordVersion, held: [VersionRecord], replica: ReplicaID, user: AuthenticatedUser,
        at now: Date, facts: some PushFacts
    ) throws -> PushDecision {
        var version = incoming
        version.editor = user.name
        let frontier = try held.map { (row: $0, vector: try $0.versionVector()) }
        switch version.body {
        case .post:
            if version.deleted {
                throw PushRejection.forbidden("posts are never deleted; push a corrected version instead")
            }
        case .annotation(let annotation):
            if !held.isEmpty, !couldHaveHeld(held, access: try facts.readAccess()) {
                // Answered exactly as an id that does not exist, so that a push cannot tell whether
                // an id it may not see exists; but never written into another user's record.
                let unknown = try decide(incoming, held: [], replica: replica, user: user, at: now, facts: facts)
                if case .store = unknown { return .withheld }
                return unknown
            }
            let authorised = try authorise(
                annotation, deleted: version.deleted, vector: version.version, frontier: frontier, user: user,
                at: now, facts: facts)
            version.body = .annotation(authorised)
        }
        try checkCausality(version.version, replica: replica, frontier: frontier.map(\.vector))
        if frontier.contains(where: { $0.vector.dominates(version.version) }) {
            return .unchanged
        }
        let replaced = frontier.filter { version.version.dominates($0.vector) }.map(\.row)
        return .store(
            version, replacing: replaced, siblings: frontier.count - replaced.count,
            formerReaders: try formerReaders(of: version, replacing: replaced, facts: facts))
    }

    /// The users who could have held the record but cannot read `version`: those who could read a
    /// version it replaces, or were its former readers, and cannot read this one. Carried forward
    /// on every later version, so a replica that pulls late still gets the newest version hidden.
    /// Nil (everyone who cannot read it) when a replaced version predates the list.
    static func formerReaders(of version: RecordVersion, replacing: [VersionRecord], facts: some PushFacts) throws
        -> [String]?
    {
        guard case .annotation(let annotation) = version.body, !replacing.isEmpty else { return [] }
        var couldHold: Set<String> = []
        for row in replacing {
            guard let former = try row.formerReaderNames() else { return nil }
            couldHold.formUnion(former)
            couldHold.formUnion(try readers(visibility: row.visibility, author: row.author, facts: facts))
        }
        let now = try readers(visibility: annotation.visibility.rawValue, author: annotation.author, facts: facts)
        return couldHold.subtracting(now).sorted()
    }

    /// Who may read a version with this visibility (nil for posts) and author, now.
    static func readers(visibility: String?, author: String?, facts: some PushFacts) throws -> Set<String> {
        let author: Set<String> = author.map { [$0] } ?? []
        switch visibility.map(Visibility.init(rawValue:)) {
        case nil, .shared: return try facts.userNames()
        case .private, .some(nil): return author
        case .group(let name): return try facts.members(of: name).union(author)
        }
    }

    /// Whether the user could have held some version of an annotation whose current versions are
    /// `held`: they can read one of them, or are a former reader of one (or one predates the list
    /// of former readers). Anyone else has never been sent the record, nor its id, nor its vectors.
    static func couldHaveHeld(_ held: [VersionRecord], access: ReadAccess) -> Bool {
        held.contains { $0.isReadable(by: access) || $0.isFormerReader(access.user) }
    }

    /// Logs a `withheld` push: an honest client makes annotation ids at random and never meets one
    /// it cannot see, so this is someone probing ids. Names who and which record, never texts.
    static func logWithheld(_ version: RecordVersion, replica: ReplicaID, user: AuthenticatedUser, logger: Logger) {
        logger.warning(
            "Answered a push into a record the user may not see as if it did not exist",
            metadata: [
                "nk.user": .string(user.name), "nk.replica": .string(replica.rawValue),
                "nk.record.type": .string(version.type.rawValue), "nk.record.id": .string(version.id),
            ])
    }

    /// Only a replica advances its own counter: every other counter of a pushed vector must be at
    /// most the highest counter of that replica the server has stored for the record, the join of
    /// the frontier's vectors. The server deletes only versions that a kept version dominates, so
    /// the join of the frontier is the join of every version ever stored for the record: a counter
    /// above it names an edit that never reached the server, which an honest replica cannot have
    /// seen. Accepting it would let one user make another replica's later edits look already seen
    /// (answered `unchanged`, silently lost) or push its counter to the limit (no further edit
    /// possible). A new record has an empty frontier: only the pusher's own counter may appear.
    ///
    /// - Throws: ``PushRejection`` `unknown_causality`.
    static func checkCausality(_ vector: VersionVector, replica: ReplicaID, frontier: [VersionVector]) throws {
        let seen = VersionVector.merging(frontier)
        let claimed = vector.counters.filter { $0.key != replica && $0.value > seen[$0.key] }
        guard let (other, counter) = claimed.min(by: { $0.key < $1.key }) else { return }
        throw PushRejection(
            .unknownCausality,
            "the version vector claims edit \(counter) of replica '\(other.rawValue)', but the server holds only "
                + "\(seen[other]) for this record; only a replica advances its own counter: pull, then edit again")
    }

    /// Checks who may write this annotation version and returns it as the server records it: the
    /// author is the token's user for a new annotation and the existing author otherwise; `createdAt`
    /// is the server's clock for a new annotation and the held one otherwise; `updatedAt` is the
    /// server's clock. Nothing the request says about who or when is kept.
    ///
    /// - A new annotation may have any visibility, but `group:G` only when its author is in G.
    /// - An existing one: its author may do anything (a new `group:G` again needs membership);
    ///   anyone else needs a current non-private version they can read, must keep that version's
    ///   visibility, may not delete nor bring back a deleted one, and may not replace a version
    ///   they cannot read.
    static func authorise(
        _ annotation: Annotation,
        deleted: Bool,
        vector: VersionVector,
        frontier: [(row: VersionRecord, vector: VersionVector)],
        user: AuthenticatedUser,
        at now: Date,
        facts: some PushFacts
    ) throws -> Annotation {
        var annotation = annotation
        annotation.updatedAt = now
        guard let existing = frontier.first?.row else {
            annotation.author = user.name
            annotation.createdAt = now
            try checkGroup(annotation.visibility, facts: facts)
            try checkQuote(annotation, facts: facts)
            if annotation.replyTo != nil { try checkParent(annotation, replying: true, facts: facts) }
            return annotation
        }
        if let postId = existing.postId, postId != annotation.postId.rawValue {
            throw PushRejection(.invalidRecord, "an annotation cannot move to another post")
        }
        let heldBody = try existing.recordVersion().body
        if case .annotation(let held) = heldBody {
            if held.replyTo != annotation.replyTo {
                throw PushRejection(
                    .invalidRecord,
                    annotation.replyTo == nil || held.replyTo == nil
                        ? "a note cannot become a reply, nor a reply a note"
                        : "a reply cannot move to another note")
            }
            // A note moved to another passage (re-attached) must quote its post, as a new one does.
            if let anchor = annotation.anchor, !deleted, held.anchor?.exact != anchor.exact {
                try checkQuote(annotation, facts: facts)
            }
        }
        if annotation.replyTo != nil { try checkParent(annotation, replying: false, facts: facts) }
        let author = existing.author ?? ""
        annotation.author = author
        annotation.createdAt = try earliestCreation(frontier.map(\.row)) ?? now
        let held = Set(frontier.compactMap(\.row.visibility))
        // Bringing a deleted note back (a version that has seen every deletion held and is not one)
        // is the author's, as deleting is. An edit made concurrently with the deletion is not: it
        // stands beside it as a conflict.
        if !deleted, author != user.name, frontier.allSatisfy({ $0.row.deleted && vector.dominates($0.vector) }) {
            throw PushRejection.forbidden("only the author of an annotation ('\(author)') may restore it")
        }
        if author == user.name {
            if !held.contains(annotation.visibility.rawValue) {
                try checkGroup(annotation.visibility, facts: facts)
            }
            return annotation
        }
        let access = try facts.readAccess()
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
    static func checkGroup(_ visibility: Visibility, facts: some PushFacts) throws {
        guard case .group(let name) = visibility else { return }
        guard try facts.groupExists(name) else {
            throw PushRejection(.unknownGroup, "there is no group named '\(name)'; ask the server's admin")
        }
        guard try facts.readAccess().groups.contains(name) else {
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

    /// A reply answers an annotation of the same post, with that annotation's visibility (one of its
    /// current versions'). A new reply (`replying`) also needs the parent to be readable by the user
    /// and not deleted: a private note has replies from its author only. A later version of a reply
    /// needs only the post and the visibility to match (its parent may have been deleted since).
    ///
    /// - Throws: ``PushRejection`` `unknown_parent`, `invalid_record` or `forbidden`.
    static func checkParent(_ annotation: Annotation, replying: Bool, facts: some PushFacts) throws {
        guard let parentId = annotation.replyTo else { return }
        let parent = try facts.annotationFrontier(parentId.rawValue)
        let access = try facts.readAccess()
        let readable = parent.filter { $0.isReadable(by: access) }
        let unknown = PushRejection(
            .unknownParent,
            "there is no note with id '\(parentId.rawValue)' that you can read; pull, then reply to a note you see")
        if replying {
            guard !readable.isEmpty else { throw unknown }
            guard readable.contains(where: { !$0.deleted }) else {
                throw PushRejection(
                    .unknownParent, "the note '\(parentId.rawValue)' was deleted; a reply to it cannot be added")
            }
        }
        guard !parent.isEmpty else { throw unknown }
        if parent.contains(where: { $0.postId != nil && $0.postId != annotation.postId.rawValue }) {
            throw PushRejection(.invalidRecord, "a reply belongs to the post of the note it answers")
        }
        guard parent.contains(where: { $0.visibility == annotation.visibility.rawValue }) else {
            let held = Set(parent.compactMap(\.visibility)).sorted().joined(separator: "' or '")
            throw PushRejection.forbidden(
                "a reply has the visibility of the note it answers ('\(held)'), not '\(annotation.visibility)'")
        }
    }

    /// A new annotation must be on a current, not deleted version of its post, and quote its text
    /// when it is on a passage.
    static func checkQuote(_ annotation: Annotation, facts: some PushFacts) throws {
        let postId = annotation.postId.rawValue
        let texts = try facts.postTexts(postId)
        guard !texts.isEmpty else {
            throw PushRejection(.unknownPost, "there is no post with id '\(postId)'; pull to get the current posts")
        }
        guard let anchor = annotation.anchor else { return }
        // The stored quote is the post's own characters: when it occurs as it is, that settles it
        // without folding the whole text (which costs more than the rest of the push).
        if texts.contains(where: { $0.range(of: anchor.exact, options: .literal) != nil }) { return }
        for text in texts {
            do {
                _ = try Anchor.locate(anchor.exact, in: text)
                return
            } catch {
                switch error {
                case .notFound, .emptyQuote: continue
                case .ambiguous, .noSuchOccurrence: return
                }
            }
        }
        throw PushRejection(
            .quoteNotFound,
            "the quoted text does not occur in the current text of post '\(postId)'; pull and re-anchor")
    }
}
