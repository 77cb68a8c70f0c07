import Crypto
import Foundation

/// Everything a store holds, for `nkserver migrate`: what ``ServerStore/exportContents()`` reads
/// and ``ServerStore/importContents(_:)`` writes, keeping every sequence number, row id and token hash.
///
/// It is held in memory (a team's database of 100,000 versions is some 100 MB).
public struct StoreContents: Sendable {
    var serverReplicaID: String
    /// The last sequence number the store gave: the next version gets a higher one, even when the
    /// versions that had the last numbers were since replaced.
    var lastSequence: Int64
    var users: [UserRecord]
    var replicas: [ReplicaRecord]
    var groups: [GroupRecord]
    var members: [GroupMemberRecord]
    /// In sequence order.
    var versions: [VersionRecord]
    /// Superseded versions, in sequence order.
    var history: [HistoryRecord] = []
    /// By post id.
    var importBases: [ImportBaseRecord] = []

    /// How many rows of each kind, in a fixed order: `users=2 replicas=3 groups=1 members=2 versions=812 last_seq=900`.
    public var counts: String {
        "users=\(users.count) replicas=\(replicas.count) groups=\(groups.count) members=\(members.count)"
            + " versions=\(versions.count) history=\(history.count) import_bases=\(importBases.count)"
            + " last_seq=\(lastSequence)"
    }

    /// The SHA-256 (hex) of every row in a canonical text form, dates to the millisecond: equal for
    /// two stores that hold the same contents, whichever database each is.
    public var checksum: String {
        var hash = SHA256()
        func add(_ fields: [String?]) {
            let line = fields.map { $0.map { "\($0.utf8.count):\($0)" } ?? "-" }.joined(separator: "|") + "\n"
            hash.update(data: Data(line.utf8))
        }
        func ms(_ date: Date?) -> String? {
            date.map { String(Int64(($0.timeIntervalSince1970 * 1000).rounded())) }
        }
        add(["server", serverReplicaID, String(lastSequence)])
        for user in users {
            add([
                "user", user.id.map(String.init), user.name, user.tokenHash, String(user.readOnly),
                ms(user.createdAt), ms(user.revokedAt),
            ])
        }
        for replica in replicas {
            add(["replica", replica.id, String(replica.userId), ms(replica.firstSeenAt), String(replica.highWater)])
        }
        for group in groups {
            add(["group", group.id.map(String.init), group.name, ms(group.createdAt)])
        }
        for member in members {
            add(["member", String(member.groupId), String(member.userId), ms(member.addedAt)])
        }
        for version in versions {
            // Former readers only when kept, so a store from before them sums as it did.
            add(
                [
                    "version", version.seq.map(String.init), version.recordType, version.recordId, version.vector,
                    version.vectorJSON, String(version.deleted), version.editor, version.author, version.visibility,
                    version.postId, version.body, ms(version.storedAt),
                ] + (version.formerReaders.map { [$0] } ?? []))
        }
        for record in history {
            let version = record.version
            add([
                "history", version.seq.map(String.init), version.recordType, version.recordId, version.vector,
                version.vectorJSON, String(version.deleted), version.editor, version.author, version.visibility,
                version.postId, version.body, ms(version.storedAt), version.formerReaders, ms(record.supersededAt),
            ])
        }
        for base in importBases {
            add(["import_base", base.postId, base.vector])
        }
        return Token.hex(hash.finalize())
    }

    /// Whether nothing but the server's own id is held: no user, group or version.
    var isEmpty: Bool {
        users.isEmpty && replicas.isEmpty && groups.isEmpty && members.isEmpty && versions.isEmpty
            && history.isEmpty && importBases.isEmpty && lastSequence == 0
    }
}
