import Foundation
import GRDB
import NKProtocol
import NKTestTraits
import Testing

@testable import NKClient

@Suite(.tags(.unit)) struct SyncPlanTests {
    func note(_ index: Int) -> RecordVersion {
        RecordVersion(version: Fixtures.vector(["r": UInt64(index + 1)]), body: .annotation(Fixtures.annotation()))
    }

    @Test func batchesPutPostsFirstAndRespectTheCountLimit() {
        let versions = [note(0), note(1), Fixtures.postVersion(), note(2)]
        let batch = PushPlan.batch(versions, maxCount: 3) { _ in 1 }
        #expect(batch.map(\.type) == [.post, .annotation, .annotation])
        #expect(batch[1] == versions[0] && batch[2] == versions[1])
    }

    @Test func batchesRespectTheByteLimitButAlwaysTakeOne() {
        let versions = [note(0), note(1), note(2)]
        #expect(PushPlan.batch(versions, maxBytes: 250) { _ in 100 }.count == 2)
        #expect(PushPlan.batch(versions, maxBytes: 10) { _ in 100 }.count == 1)
        #expect(PushPlan.batch([RecordVersion](), maxBytes: 10) { _ in 100 }.isEmpty)
    }

    @Test func resultsAreMatchedByVersionNotPosition() throws {
        let sent = [note(0), note(1), note(2)]
        let response = PushResponse(results: [
            PushItemResult(type: .annotation, id: sent[2].id, version: sent[2].version, status: .conflict),
            PushItemResult(
                type: .annotation, id: sent[1].id, version: sent[1].version, status: .rejected, code: .forbidden,
                message: "no"),
            PushItemResult(type: .annotation, id: sent[0].id, version: sent[0].version, status: .unchanged),
        ])
        let outcome = try PushPlan.interpret(sent: sent, response: response)
        #expect(outcome.acknowledged == [sent[0], sent[2]])
        #expect(outcome.rejected.map(\.version) == [sent[1]] && outcome.rejected.map(\.code) == [.forbidden])
    }

    @Test func aMissingResultIsABadResponse() {
        #expect { try PushPlan.interpret(sent: [note(0)], response: PushResponse(results: [])) } throws: {
            ($0 as? ClientError)?.code == .badResponse
        }
    }

    @Test func pullPagesMustMoveForward() throws {
        let page = { (next: Int64, more: Bool) in PullResponse(changes: [], next: next, more: more) }
        #expect(try PullStep.next(after: 3, page: page(7, true), limit: 4, bound: nil) == .continueFrom(7))
        #expect(try PullStep.next(after: 3, page: page(3, false), limit: 4, bound: nil) == .done(3))
        #expect(throws: ServerSentCheck.Refusal.self) {
            try PullStep.next(after: 3, page: page(2, false), limit: 4, bound: nil)
        }
        #expect(throws: ServerSentCheck.Refusal.self) {
            try PullStep.next(after: 3, page: page(3, true), limit: 4, bound: nil)
        }
    }

    /// A page that says `more` must cover the page size asked for: an honest server's does (it
    /// counts the stored changes it covered, sent or not), and one that moves less could keep a
    /// client pulling for ever, one change at a time.
    /// A server of another protocol version is named in one line that says which side to upgrade.
    @Test(arguments: [("2", "upgrade nkclient"), ("0", "upgrade the server"), ("x", "not a number")])
    func aServerOfAnotherProtocolSaysWhichSideToUpgrade(named: String, says: String) throws {
        let response = HTTPResponse(status: 200, headers: ["NK-Protocol": named], body: Data("{}".utf8))
        let error = try #require(ServerAPI.checkProtocol(response, server: "http://s"))
        #expect(error.message.contains(says) && !error.message.contains("\n"))
        #expect(
            ServerAPI.checkProtocol(HTTPResponse(status: 200, headers: ["NK-Protocol": "1"]), server: "s")?.message
                == nil)
        #expect(ServerAPI.checkProtocol(HTTPResponse(status: 200), server: "s")?.message == nil)
    }

    @Test func aPageThatSaysMoreMustCoverThePageSizeAskedFor() throws {
        let page = PullResponse(changes: [], next: 6, more: true)
        #expect(throws: ServerSentCheck.Refusal.self) { try PullStep.next(after: 3, page: page, limit: 4, bound: nil) }
        #expect(try PullStep.next(after: 2, page: page, limit: 4, bound: nil) == .continueFrom(6))
    }

    /// One pull goes at most as far as the server's newest change when it began, plus as many again
    /// (at least ten pages): a server that says `more` beyond that is refused.
    @Test func onePullIsBoundedByWhatTheServerHadWhenItBegan() throws {
        let bound = PullBound(start: 0, latest: 100, pageSize: 5)
        #expect(bound.limit == 200)
        #expect(PullBound(start: 95, latest: 100, pageSize: 5).limit == 150)
        let within = PullResponse(changes: [], next: 195, more: true)
        #expect(try PullStep.next(after: 190, page: within, limit: 5, bound: bound) == .continueFrom(195))
        let beyond = PullResponse(changes: [], next: 200, more: true)
        #expect(throws: ServerSentCheck.Refusal.self) {
            try PullStep.next(after: 195, page: beyond, limit: 5, bound: bound)
        }
        let last = PullResponse(changes: [], next: 260, more: false)
        #expect(try PullStep.next(after: 195, page: last, limit: 5, bound: bound) == .done(260))
        #expect(PullBound(start: 0, latest: .max - 1, pageSize: 500).limit == .max)
    }

    @Test(arguments: [
        (401, ClientError.Code.unauthorized), (403, .forbidden), (400, .rejectedByServer), (413, .rejectedByServer),
        (500, .serverError), (503, .serverError),
    ])
    func httpStatusesAreClassifiedOnce(status: Int, code: ClientError.Code) throws {
        // A code this client does not know (a newer server's) still arrives, as it was sent.
        let body = Data(#"{"error":{"code":"some_code","message":"what happened"}}"#.utf8)
        let error = try #require(ServerAPI.classify(status: status, body: body, server: "http://s"))
        #expect(error.code == code && error.serverCode?.rawValue == "some_code" && error.serverStatus == status)
        #expect(error.message.contains("http://s"))
        #expect(ServerAPI.classify(status: 200, body: Data(), server: "http://s") == nil)
    }

    /// The outbox is pushed as stored: each entry's spliced JSON must decode to the version it
    /// holds, as a push carries it (no editor), and the whole request to the same PushRequest.
    @Test func outboxEntriesSpliceToTheVersionsTheyHold() throws {
        let queue = try ReplicaDatabase.openInMemory()
        var post = Fixtures.postVersion()
        post.editor = "alice"
        var edited = note(4)
        edited.deleted = true
        edited.editor = "alice"
        let versions = [note(0), note(1), post, edited]
        let entries = try queue.write { db in
            for version in versions { try StoredVersion(version: version, pending: true).insert(db) }
            return try ReplicaStore.outbox(db, limit: 10)
        }
        #expect(entries.map(\.type) == [.post, .annotation, .annotation, .annotation], "posts first")
        let decoder = Wire.makeDecoder()
        let expected = [post, note(0), note(1), edited].map(PushPlan.wireVersion)
        let decoded = try entries.map { try decoder.decode(RecordVersion.self, from: Data($0.wireJSON.utf8)) }
        #expect(decoded == expected)
        let encoder = Wire.makeEncoder()
        for (entry, version) in zip(entries, expected) {
            #expect(entry.wireJSON == String(decoding: try encoder.encode(version), as: UTF8.self), "byte for byte")
        }
    }
}
