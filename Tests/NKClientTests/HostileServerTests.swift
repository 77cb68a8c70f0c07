import Foundation
import GRDB
import NKProtocol
import NKTestTraits
import Testing

@testable import NKClient

/// A server that answers `GET /v1/changes` with whatever `page` makes of the request, and passes
/// every other request to an honest ``FakeServer``.
final class HostileServer: Transport, @unchecked Sendable {
    let honest: FakeServer
    private let lock = NSLock()
    private var page: (@Sendable (_ since: Int64, _ limit: Int) -> PullResponse)?
    private(set) var changesCalls = 0

    init(honest: FakeServer) {
        self.honest = honest
    }

    /// From now on, pull pages come from `page`.
    func turn(_ page: @escaping @Sendable (_ since: Int64, _ limit: Int) -> PullResponse) {
        lock.withLock { self.page = page }
    }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let url = URLComponents(string: request.url)!
        let hostile = lock.withLock { page }
        guard url.path == "/v1/changes", let hostile else { return try await honest.send(request) }
        let query = Dictionary(uniqueKeysWithValues: (url.queryItems ?? []).map { ($0.name, $0.value ?? "") })
        lock.withLock { changesCalls += 1 }
        let response = hostile(Int64(query["since"] ?? "0") ?? 0, Int(query["limit"] ?? "500") ?? 500)
        return HTTPResponse(status: 200, body: try Wire.makeEncoder().encode(response))
    }
}

/// Each client-side rule of DESIGN.md ("What the client checks") against a server that breaks it:
/// the page is refused whole, the sync fails with one line, and the unpushed work stays pending.
@Suite(.tags(.unit)) struct HostileServerTests {
    let post = Fixtures.post.id.rawValue
    static let otherNote = "6f1c2a3b-0000-4000-8000-0000000000ff"

    /// What a hostile server sends; `synced` and `edited` are the ids of Alice's notes (the first
    /// synced then edited offline, both pending), her replica id is `rep-alice`.
    enum Attack: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case endlessPages
        case pageLargerThanAsked
        case changesOutOfOrder
        case forgedOwnCounterInRecord
        case forgedOwnCounterInHidden
        case forgedOwnCounterOfAPendingRecord
        case forgedOwnCounterOfAPendingRecordInHidden
        case sameVectorOtherContent
        case absurdCounter
        case absurdID
        case emptyVector
        case neitherRecordNorHidden

        var testDescription: String { rawValue }

        /// The code the sync must fail with.
        var code: ClientError.Code {
            switch self {
            case .forgedOwnCounterInRecord, .forgedOwnCounterInHidden, .forgedOwnCounterOfAPendingRecord,
                .forgedOwnCounterOfAPendingRecordInHidden:
                .staleReplica
            default: .badResponse
            }
        }

        func page(since: Int64, limit: Int, synced: RecordVersion) -> PullResponse {
            let me = ReplicaID("rep-alice")
            var forged = synced
            forged.body = .annotation(Fixtures.annotation(id: synced.annotationID, note: "replaced by the server"))
            let evil = ReplicaID("evil")
            func hidden(_ id: String, _ vector: VersionVector) -> Change {
                Change(seq: since + 1, hidden: HiddenVersion(type: .annotation, id: id, version: vector))
            }
            func record(_ vector: VersionVector) -> Change {
                forged.version = vector
                return Change(seq: since + 1, record: forged)
            }
            let changes: [Change]
            var more = false
            var next = since + 1
            switch self {
            case .endlessPages:
                changes = [hidden(HostileServerTests.otherNote, VersionVector([evil: 1]))]
                more = true
            case .pageLargerThanAsked:
                changes = (1...Int64(limit + 1)).map {
                    Change(
                        seq: since + $0,
                        hidden: HiddenVersion(type: .annotation, id: Self.id($0), version: .init([evil: 1])))
                }
                next = since + Int64(limit) + 1
            case .changesOutOfOrder:
                changes = [
                    Change(
                        seq: since + 2,
                        hidden: HiddenVersion(type: .annotation, id: Self.id(1), version: .init([evil: 1]))),
                    Change(
                        seq: since + 1,
                        hidden: HiddenVersion(type: .annotation, id: Self.id(2), version: .init([evil: 1]))),
                ]
                next = since + 2
            case .forgedOwnCounterInRecord:
                changes = [record(VersionVector([me: 1000, evil: 1]))]
            case .forgedOwnCounterInHidden:
                changes = [hidden(synced.id, VersionVector([me: 1000]))]
            case .forgedOwnCounterOfAPendingRecord:
                // At most this replica's high-water mark (3), above what it gave this record (2).
                changes = [record(VersionVector([me: 3, evil: 1]))]
            case .forgedOwnCounterOfAPendingRecordInHidden:
                changes = [hidden(synced.id, VersionVector([me: 3, evil: 1]))]
            case .sameVectorOtherContent:
                // Exactly the vector of the pending edit (rep-alice:2), with the server's own text.
                changes = [record(VersionVector([me: 2]))]
            case .absurdCounter:
                changes = [record(VersionVector([evil: 1 << 60]))]
            case .absurdID:
                changes = [hidden("../../etc/passwd", VersionVector([evil: 1]))]
            case .emptyVector:
                changes = [hidden(HostileServerTests.otherNote, VersionVector())]
            case .neitherRecordNorHidden:
                var change = hidden(HostileServerTests.otherNote, VersionVector([evil: 1]))
                change.record = forged
                changes = [change]
            }
            return PullResponse(changes: changes, next: next, more: more, latest: since + 1_000)
        }

        static func id(_ n: Int64) -> String {
            String(format: "6f1c2a3b-0000-4000-8000-%012llx", n)
        }
    }

    @Test(arguments: Attack.allCases)
    func aHostilePageIsRefusedWholeAndUnpushedWorkStays(_ attack: Attack) async throws {
        // Given Alice synced a note, then edited it and wrote another offline (2 pending)
        let folder = try ScratchFolder()
        let honest = FakeServer()
        honest.seed(Fixtures.postVersion())
        let server = HostileServer(honest: honest)
        let alice = try Fixtures.replica(user: "alice", replica: "rep-alice", in: folder)
        let synced = try alice.annotate(post: post, quote: "hard currency", note: "first")
        _ = try await SyncEngine(replica: alice, transport: server).run()
        try alice.edit(synced.rawValue, note: "edited offline")
        try alice.annotate(post: post, quote: "hard currency", note: "written offline")
        let before = try alice.status()
        #expect(before.pending == 2)
        let syncedVersion = try #require(try alice.held(synced.rawValue).first?.version)

        // When the server turns hostile
        server.turn { since, limit in attack.page(since: since, limit: limit, synced: syncedVersion) }
        let failure = await #expect(throws: ClientError.self) {
            _ = try await SyncEngine(replica: alice, transport: server).run()
        }

        // Then the sync fails with one line, nothing of the page was applied, nothing was pushed
        #expect(failure?.code == attack.code)
        #expect(failure?.message.contains("\n") == false)
        #expect(failure?.message.contains("kept") == true)
        let after = try alice.status()
        #expect(after.pending == 2 && after.cursor == before.cursor)
        #expect(try alice.notes().map(\.note).sorted() == ["edited offline", "written offline"])
        #expect(server.changesCalls == 1)
        #expect(honest.requests.filter { $0.method == .post }.count == 1)
    }

    /// An honest server's pages pass every check: concurrent edits still become a conflict, and
    /// a replica's own pushed versions come back without tripping the own-counter rule.
    @Test func anHonestServerStillSyncsEverything() async throws {
        let folder = try ScratchFolder()
        let honest = FakeServer()
        honest.seed(Fixtures.postVersion())
        let server = HostileServer(honest: honest)
        let alice = try Fixtures.replica(user: "alice", replica: "rep-alice", in: folder)
        let bob = try Fixtures.replica(user: "bob", replica: "rep-bob", in: folder)
        let id = try alice.annotate(post: post, quote: "hard currency", note: "first")
        _ = try await SyncEngine(replica: alice, transport: server).run()
        _ = try await SyncEngine(replica: bob, transport: server).run()
        try bob.edit(id.rawValue, note: "bob's")
        try alice.edit(id.rawValue, note: "alice's")
        _ = try await SyncEngine(replica: bob, transport: server).run()
        let summary = try await SyncEngine(replica: alice, transport: server).run()
        #expect(summary.pushed == 1 && summary.conflicts == 1)
        #expect(try alice.status().pending == 0)
    }
}

extension RecordVersion {
    fileprivate var annotationID: AnnotationID {
        if case .annotation(let annotation) = body { return annotation.id }
        return AnnotationID("")
    }
}

/// A replica folder restored from an older copy of itself (DESIGN.md, "Own counters").
@Suite(.tags(.unit)) struct RestoredReplicaTests {
    let post = Fixtures.post.id.rawValue

    /// Copies a replica's folder, as a backup would.
    func backUp(_ replica: Replica, to folder: ScratchFolder, as name: String) throws -> URL {
        let copy = folder.url.appendingPathComponent(name)
        try FileManager.default.copyItem(at: replica.home.url, to: copy)
        return copy
    }

    /// Puts a backup back in place of the folder.
    func restore(_ backup: URL, over replica: Replica) throws -> Replica {
        try FileManager.default.removeItem(at: replica.home.url)
        try FileManager.default.copyItem(at: backup, to: replica.home.url)
        return try Replica.open(home: replica.home)
    }

    @Test func aRestoredFolderNeverReusesACounterAndLosesNothing() async throws {
        // Given Alice's laptop is backed up after her first note is synced
        let folder = try ScratchFolder()
        let server = FakeServer()
        server.seed(Fixtures.postVersion())
        let original = try Fixtures.replica(user: "alice", replica: "rep-alice", in: folder)
        let first = try original.annotate(post: post, quote: "hard currency", note: "first")
        _ = try await SyncEngine(replica: original, transport: server).run()
        let backup = try backUp(original, to: folder, as: "backup")

        // And she goes on working and syncing: a new note, and an edit of the first
        try original.annotate(post: post, quote: "hard currency", note: "after the backup")
        try original.edit(first.rawValue, note: "edited after the backup")
        _ = try await SyncEngine(replica: original, transport: server).run()

        // When the laptop is restored from the backup and she writes the same kind of things again
        var restored = try restore(backup, over: original)
        try restored.annotate(post: post, quote: "hard currency", note: "after the restore")
        try restored.edit(first.rawValue, note: "edited after the restore")
        #expect(try restored.status().pending == 2)

        // Then the sync refuses to go on, says why and what to do, and keeps everything
        let failure = await #expect(throws: ClientError.self) {
            _ = try await SyncEngine(replica: restored, transport: server).run()
        }
        #expect(failure?.code == .staleReplica)
        #expect(failure?.message.contains("nkclient new-replica") == true)
        #expect(failure?.message.contains("\n") == false)
        #expect(try restored.status().pending == 2)
        #expect(server.requests.filter { $0.method == .post && $0.header("authorization") != nil }.count == 2)

        // When she carries on under a new replica id
        let summary = try restored.startNewReplica()
        #expect(summary.retired == ReplicaID("rep-alice") && summary.pending == 2)
        #expect(restored.config.retiredReplicas == [ReplicaID("rep-alice")])
        let synced = try await SyncEngine(replica: restored, transport: server).run()

        // Then both notes written after the restore are pushed, nothing is answered `unchanged`,
        // and the two edits of the first note are a conflict: every text anyone wrote is there
        #expect(synced.pushed == 2)
        #expect(try restored.status().pending == 0)
        let bob = try Fixtures.replica(user: "bob", replica: "rep-bob", in: folder)
        _ = try await SyncEngine(replica: bob, transport: server).run()
        let texts = try bob.read { db in
            try StoredVersion.fetchAll(
                db, sql: "SELECT \(StoredVersion.columns) FROM versions WHERE recordType = 'annotation'")
        }.compactMap { version -> String? in
            if case .annotation(let annotation) = version.version.body { return annotation.note }
            return nil
        }
        #expect(
            Set(texts) == [
                "after the backup", "edited after the backup", "after the restore", "edited after the restore",
            ])
        #expect(try bob.held(first.rawValue).count == 2)
    }

    /// The marker is written before a push leaves, so a push whose answer was lost never looks like
    /// another folder's work.
    @Test func aPushWhoseAnswerWasLostIsNotMistakenForAnotherFolder() async throws {
        let folder = try ScratchFolder()
        let honest = FakeServer()
        honest.seed(Fixtures.postVersion())
        let server = LosingServer(honest: honest)
        let alice = try Fixtures.replica(user: "alice", replica: "rep-alice", in: folder)
        try alice.annotate(post: post, quote: "hard currency", note: "first")
        server.losePushAnswers = true
        await #expect(throws: ClientError.self) { _ = try await SyncEngine(replica: alice, transport: server).run() }
        #expect(try alice.status().pending == 1)
        server.losePushAnswers = false
        let summary = try await SyncEngine(replica: alice, transport: server).run()
        #expect(try alice.status().pending == 0 && summary.conflicts == 0)
    }
}

/// A server whose push answers are lost on the way back (the push is applied).
final class LosingServer: Transport, @unchecked Sendable {
    let honest: FakeServer
    private let lock = NSLock()
    private var losing = false

    init(honest: FakeServer) { self.honest = honest }

    var losePushAnswers: Bool {
        get { lock.withLock { losing } }
        set { lock.withLock { losing = newValue } }
    }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let response = try await honest.send(request)
        if request.method == .post && losePushAnswers { throw TransportError(.unreachable, "connection reset") }
        return response
    }
}
