import Foundation
import NKProtocol
import Synchronization

@testable import NKServer

/// A store that forwards everything to another and counts the token look-ups
/// (``ServerStore/authenticate(token:)``): to show what a request costs the database.
final class CountingStore: ServerStore {
    let base: any ServerStore
    private let lookups = Mutex(0)

    init(_ base: any ServerStore) { self.base = base }

    /// How many times a token was looked up.
    var authenticateCalls: Int { lookups.withLock { $0 } }

    func authenticate(token: String) async throws -> AuthenticatedUser? {
        lookups.withLock { $0 += 1 }
        return try await base.authenticate(token: token)
    }

    var serverReplicaID: ReplicaID { base.serverReplicaID }

    func push(user: AuthenticatedUser, replica: ReplicaID, versions: [RecordVersion]) async throws
        -> [PushItemResult]
    {
        try await base.push(user: user, replica: replica, versions: versions)
    }

    func storageFacts() async throws -> StorageFacts {
        try await base.storageFacts()
    }

    func changesJSON(user: AuthenticatedUser, since: Int64, limit: Int, threads: Bool) async throws -> Data {
        try await base.changesJSON(user: user, since: since, limit: limit, threads: threads)
    }

    func record(user: AuthenticatedUser, type: RecordType, id: String) async throws -> [RecordVersion] {
        try await base.record(user: user, type: type, id: id)
    }

    func history(user: AuthenticatedUser, type: RecordType, id: String) async throws -> [HistoryEntry] {
        try await base.history(user: user, type: type, id: id)
    }

    func latestSequence() async throws -> Int64 { try await base.latestSequence() }

    func replicaHighWater(user: AuthenticatedUser, replica: ReplicaID) async throws -> UInt64 {
        try await base.replicaHighWater(user: user, replica: replica)
    }

    func waitForChanges(since: Int64, timeout: Duration, recheck: Duration) async throws -> WaitResponse {
        try await base.waitForChanges(since: since, timeout: timeout, recheck: recheck)
    }

    func addUser(name: String, readOnly: Bool) async throws -> String {
        try await base.addUser(name: name, readOnly: readOnly)
    }

    func users() async throws -> [UserSummary] { try await base.users() }

    func revokeUser(name: String) async throws -> Bool { try await base.revokeUser(name: name) }

    func rotateToken(name: String) async throws -> String { try await base.rotateToken(name: name) }

    func addGroup(name: String) async throws { try await base.addGroup(name: name) }

    func addMember(group: String, user: String) async throws -> Int {
        try await base.addMember(group: group, user: user)
    }

    func removeMember(group: String, user: String) async throws -> Int {
        try await base.removeMember(group: group, user: user)
    }

    func groups() async throws -> [GroupSummary] { try await base.groups() }

    func importPosts(_ posts: [Post]) async throws -> ImportSummary { try await base.importPosts(posts) }

    func exportContents() async throws -> StoreContents { try await base.exportContents() }

    func importContents(_ contents: StoreContents) async throws { try await base.importContents(contents) }
}
