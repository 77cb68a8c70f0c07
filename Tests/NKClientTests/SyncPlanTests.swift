import Foundation
import NKProtocol
import Testing

@testable import NKClient

@Suite struct SyncPlanTests {
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
        #expect(PushPlan.batch([], maxBytes: 10) { _ in 100 }.isEmpty)
    }

    @Test func resultsAreMatchedByVersionNotPosition() throws {
        let sent = [note(0), note(1), note(2)]
        let response = PushResponse(results: [
            PushItemResult(type: .annotation, id: sent[2].id, version: sent[2].version, status: .conflict),
            PushItemResult(
                type: .annotation, id: sent[1].id, version: sent[1].version, status: .rejected, code: "forbidden",
                message: "no"),
            PushItemResult(type: .annotation, id: sent[0].id, version: sent[0].version, status: .unchanged),
        ])
        let outcome = try PushPlan.interpret(sent: sent, response: response)
        #expect(outcome.acknowledged == [sent[0], sent[2]])
        #expect(outcome.rejected.map(\.version) == [sent[1]] && outcome.rejected.map(\.code) == ["forbidden"])
    }

    @Test func aMissingResultIsABadResponse() {
        #expect { try PushPlan.interpret(sent: [note(0)], response: PushResponse(results: [])) } throws: {
            ($0 as? ClientError)?.code == .badResponse
        }
    }

    @Test func pullPagesMustMoveForward() throws {
        let page = { (next: Int64, more: Bool) in PullResponse(changes: [], next: next, more: more) }
        #expect(try PullStep.next(after: 3, page: page(7, true)) == .continueFrom(7))
        #expect(try PullStep.next(after: 3, page: page(3, false)) == .done(3))
        #expect(throws: ClientError.self) { try PullStep.next(after: 3, page: page(2, false)) }
        #expect(throws: ClientError.self) { try PullStep.next(after: 3, page: page(3, true)) }
    }

    @Test(arguments: [
        (401, ClientError.Code.unauthorized), (403, .forbidden), (400, .rejectedByServer), (413, .rejectedByServer),
        (500, .serverError), (503, .serverError),
    ])
    func httpStatusesAreClassifiedOnce(status: Int, code: ClientError.Code) throws {
        let body = try Wire.makeEncoder().encode(ErrorResponse(code: "some_code", message: "what happened"))
        let error = try #require(ServerAPI.classify(status: status, body: body, server: "http://s"))
        #expect(error.code == code && error.serverCode == "some_code" && error.serverStatus == status)
        #expect(error.message.contains("http://s"))
        #expect(ServerAPI.classify(status: 200, body: Data(), server: "http://s") == nil)
    }
}
