import Foundation
import NKProtocol

/// The client's checks of what a server sends, before any of it touches the replica (DESIGN.md,
/// "What the client checks"). The server may be buggy, or not ours at all: a page that fails any
/// check is refused whole, and the unpushed work stays as it was.
enum ServerSentCheck {
    /// Why something the server sent was refused; the sync engine turns it into one line that
    /// names the server.
    struct Refusal: Error, Hashable, Sendable {
        var reason: String
    }

    /// Checks one pulled page's shape and every version in it, by the server's own validators: one
    /// of record or hidden per change, sequence numbers after the cursor, increasing, within the
    /// page, at most `limit` changes, and ids, vectors and fields within the limits.
    static func check(_ page: PullResponse, after cursor: Int64, limit: Int) throws(Refusal) {
        guard page.changes.count <= limit else {
            throw Refusal(reason: "a page of \(page.changes.count) changes where at most \(limit) were asked for")
        }
        var previous = cursor
        for change in page.changes {
            guard change.seq > previous else {
                throw Refusal(reason: "change \(change.seq) is not after \(previous) in the change sequence")
            }
            previous = change.seq
            switch (change.record, change.hidden) {
            case (let record?, nil): try check(record, seq: change.seq)
            case (nil, let hidden?): try check(hidden, seq: change.seq)
            default: throw Refusal(reason: "change \(change.seq) is neither one record nor one hidden version")
            }
        }
    }

    /// A version the server sent (in a page or as a record): valid by the rules the server applies
    /// to a push, but for control characters, which versions stored before the server refused them
    /// may hold (the terminal is protected by escaping them on output).
    static func check(_ version: RecordVersion, seq: Int64? = nil) throws(Refusal) {
        do {
            try version.validate(.pulled)
        } catch {
            throw Refusal(reason: "\(place(seq, version.id)): \(error.message)")
        }
        if let editor = version.editor, !RecordVersion.isPlainIdentifier(editor) {
            throw Refusal(reason: "\(place(seq, version.id)): the editor is not a user name")
        }
    }

    /// A hidden version: a well-formed id and vector.
    static func check(_ hidden: HiddenVersion, seq: Int64) throws(Refusal) {
        let wellFormed =
            switch hidden.type {
            case .annotation: Annotation.isCanonicalUUID(hidden.id)
            case .post: RecordVersion.isPlainIdentifier(hidden.id)
            }
        guard wellFormed else { throw Refusal(reason: "change \(seq): the hidden record's id is not an id") }
        do {
            try RecordVersion.validateVector(hidden.version)
        } catch {
            throw Refusal(reason: "change \(seq): \(error.message)")
        }
    }

    private static func place(_ seq: Int64?, _ id: String) -> String {
        seq.map { "change \($0)" } ?? "record \(id.prefix(80))"
    }
}

/// The rule that only a replica advances its own counter, as the client holds a server to it.
///
/// A version (or hidden version) from the server may claim edits by this replica only up to the
/// highest counter this replica has given (its high-water mark); and in a record that holds
/// unpushed work, only up to the counters this replica gave that record. Otherwise it could
/// replace unpushed work, or make a later edit look already seen. A server that breaks it is either
/// not honest, or holds edits of a copy of this replica folder that went on without it (a laptop
/// restored from a backup): either way the page is refused and the work stays pending.
struct OwnCounterGuard: Sendable {
    var replica: ReplicaID
    /// The highest counter this replica has given any edit.
    var highWater: UInt64
    /// The server's URL, for the message.
    var server: String

    /// Checks `vector`, sent for a record whose held versions are `held`.
    func check(_ vector: VersionVector, type: RecordType, id: String, held: [HeldVersion]) throws(ClientError) {
        let claimed = vector[replica]
        guard claimed > 0 else { return }
        if claimed > highWater {
            throw ClientError(
                .staleReplica,
                "the server at \(server) holds edits of this replica (\(replica.rawValue)) up to \(claimed), but "
                    + "this replica has made \(highWater): this folder was restored from an older copy of itself, or "
                    + "the server is not the one it synced with; nothing was changed. Run nkclient new-replica to "
                    + "carry on under a new replica id (unpushed changes are kept and pushed again)")
        }
        guard held.contains(where: \.pending) else { return }
        let given = held.map { $0.vector[replica] }.max() ?? 0
        if claimed > given {
            throw ClientError(
                .staleReplica,
                "the server at \(server) sent a version of \(type.rawValue) \(id) that claims edit \(claimed) of this "
                    + "replica, which gave that record only \(given): it would replace unpushed work; nothing was "
                    + "changed. If this folder was restored from an older copy, run nkclient new-replica")
        }
    }
}

extension RecordVersion {
    /// Whether two versions say the same thing, apart from what the server stamps on a version it
    /// stores (the editor; an annotation's author and times).
    func hasSameContent(as other: RecordVersion) -> Bool {
        guard deleted == other.deleted, type == other.type, id == other.id else { return false }
        switch (body, other.body) {
        case (.post(let mine), .post(let theirs)):
            return mine == theirs
        case (.annotation(var mine), .annotation(var theirs)):
            mine.author = ""
            theirs.author = ""
            mine.createdAt = .distantPast
            theirs.createdAt = .distantPast
            mine.updatedAt = .distantPast
            theirs.updatedAt = .distantPast
            return mine == theirs
        default:
            return false
        }
    }
}
