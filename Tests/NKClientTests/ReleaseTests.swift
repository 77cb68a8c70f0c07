import Foundation
import NKProtocol
import NKTestTraits
import Testing

@testable import NKClient

/// The release a client says it is: every request names it in `User-Agent`.
@Suite(.tags(.unit)) struct ReleaseTests {
    @Test func everyRequestCarriesTheClientsUserAgent() async throws {
        let folder = try ScratchFolder()
        let server = FakeServer()
        server.seed(Fixtures.postVersion())
        let replica = try Fixtures.replica(in: folder)
        _ = try replica.annotate(post: Fixtures.post.id.rawValue, quote: "hard currency", note: "n")
        var engine = SyncEngine(replica: replica, transport: server)
        _ = try await engine.run()
        #expect(!server.requests.isEmpty)
        #expect(
            server.requests.allSatisfy { $0.header("User-Agent") == "nkclient/\(Release.version) (NK Sync protocol 1)" }
        )
    }
}
