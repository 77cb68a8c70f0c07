import Foundation
import NKTestSupport
import NKTestTraits
import Testing

/// Both programs say which release they are, and the server says it in `/health` too.
@Suite(.processes, .tags(.live)) struct VersionTests {
    @Test func bothProgramsAndTheHealthAnswerNameTheRelease() throws {
        let server = try runCommand(TestPaths.nkserver, ["--version"])
        let client = try runCommand(TestPaths.nkclient, ["--version"])
        #expect(server.succeeded && client.succeeded)
        let pattern = #/^nk(server|client) \d+\.\d+\.\d+(-[a-z0-9.]+)? \(NK Sync protocol 1\)$/#
        #expect(server.output.wholeMatch(of: pattern) != nil, "\(server)")
        #expect(client.output.wholeMatch(of: pattern) != nil, "\(client)")
        let release = String(server.output.split(separator: " ")[1])
        #expect(client.output.contains(" \(release) "))

        let live = try LiveServer(importSamples: false)
        let health = try RawHTTP.send("GET", live.url + "/health", token: "none")
        #expect(health.status == 200)
        #expect(try health.object()["version"] as? String == release)
    }
}
