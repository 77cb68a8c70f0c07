import Foundation
import NKTestSupport
import NKTestTraits
import Testing

/// The real `nkclient`, over libcurl, against a server that is not NK Sync's and sends what the
/// client must refuse (RELIABILITY.md, suite 11). For each attack: the sync exits non-zero with one
/// short line, nothing raw reaches the terminal, and the two unpushed notes stay pending.
@Suite(.serialized, .processes, .tags(.live)) struct HostileServerLiveTests {
    /// What the scripted server answers `GET /v1/changes` with (or every request, for `hugeError`).
    enum Attack: String, CaseIterable, Sendable {
        case endlessPages
        case forgedOwnCounter
        case forgedOwnCounterInHidden
        case claimsTheReplicasEdits
        case absurdCounter
        case absurdID
        case hugeMultiLineError
        case controlCharactersInANote
        case newerProtocol

        /// The exit code `nkclient sync` must end with.
        var exitCode: Int32 {
            switch self {
            case .forgedOwnCounter, .forgedOwnCounterInHidden, .claimsTheReplicasEdits: 65
            case .newerProtocol: 76
            case .hugeMultiLineError: 1
            // The page is taken (it is valid); the push that follows meets a failing server.
            case .controlCharactersInANote: 69
            default: 76
            }
        }
    }

    /// Escape, CSI, OSC with BEL, C1 CSI: what a colleague's note could use to rewrite a terminal.
    static let hostileText = "\u{1B}]0;pwned\u{07}\u{1B}[2J\u{1B}[1Apushed 2, pulled 0\u{9B}31m\r"

    /// The page (or answer) for an attack; `replica` is the client's replica id, `post` the id of a
    /// post it holds, `noteID` the id of one of its pending notes.
    static func answer(
        _ attack: Attack, request: ScriptedHTTPServer.Request, replica: String, post: String, noteID: String
    ) -> ScriptedHTTPServer.Response {
        let since = Int64(request.query("since") ?? "0") ?? 0
        func page(_ changes: [[String: Any]], more: Bool = false, next: Int64? = nil) -> ScriptedHTTPServer.Response {
            .json(["changes": changes, "more": more, "next": next ?? since + 1, "latest": since + 1000])
        }
        func note(_ vector: [String: Any], text: String = "replaced", id: String? = nil) -> [String: Any] {
            let id = id ?? noteID
            return [
                "seq": since + 1,
                "record": [
                    "type": "annotation", "id": id, "deleted": false, "editor": "mallory", "version": vector,
                    "annotation": [
                        "id": id, "postId": post, "note": text, "tags": [], "visibility": "shared",
                        "author": "mallory", "createdAt": "2026-01-01T00:00:00Z", "updatedAt": "2026-01-01T00:00:00Z",
                        "anchor": ["exact": "Dandong", "prefix": "", "suffix": "", "start": 0, "end": 7],
                    ] as [String: Any],
                ] as [String: Any],
            ]
        }
        func hidden(_ id: String, _ vector: [String: Any]) -> [String: Any] {
            ["seq": since + 1, "hidden": ["type": "annotation", "id": id, "version": vector]]
        }
        switch attack {
        case .endlessPages:
            return page([hidden("6f1c2a3b-0000-4000-8000-0000000000ff", ["evil": 1])], more: true)
        case .forgedOwnCounter:
            return page([note([replica: 1000, "evil": 1])])
        case .forgedOwnCounterInHidden:
            return page([hidden(noteID, [replica: 1000])])
        case .claimsTheReplicasEdits:
            return .json([
                "changes": [], "more": false, "next": since, "latest": since, "replicaHighWater": 1_000_000,
            ])
        case .absurdCounter:
            return page([note(["evil": UInt64(1) << 60])])
        case .absurdID:
            return page([hidden("../../../etc/passwd", ["evil": 1])])
        case .hugeMultiLineError:
            let message = String(repeating: "line\n" + hostileText, count: 2 << 20 / 40)
            return .json(["error": ["code": "bad\u{1B}[2J", "message": message]], status: 400)
        case .newerProtocol:
            // A server a version ahead: one line that says to upgrade nkclient, nothing applied.
            var answer = page([hidden("6f1c2a3b-0000-4000-8000-0000000000ff", ["evil": 1])])
            answer.headers["NK-Protocol"] = "2"
            return answer
        case .controlCharactersInANote:
            // A colleague's new note: valid, so the page is taken, and then printed escaped.
            return page([
                note(["evil": 1], text: "a colleague's note " + hostileText, id: "6f1c2a3b-0000-4000-8000-00000000c0de")
            ])
        }
    }

    /// What one attack did to the client.
    struct Outcome {
        var exitCode: Int32
        var seconds: Double
        var stderrLines: Int
        var stderrBytes: Int
        var rawControlPrinted: Int
        var pendingLost: Int
        var notesLost: Int
        var pushesSent: Int
    }

    /// Every attack in turn, each against a new replica; prints the suite's figure line.
    @Test func aHostileServerNeitherHangsNorErasesNorWritesToTheTerminal() throws {
        let started = Date()
        var outcomes: [Attack: Outcome] = [:]
        for attack in Attack.allCases {
            let outcome = try run(attack)
            outcomes[attack] = outcome
            #expect(outcome.exitCode == attack.exitCode, "\(attack)")
            #expect(outcome.seconds < 20, "\(attack)")
            #expect(outcome.stderrLines <= 1 && outcome.stderrBytes < 1_000, "\(attack)")
            #expect(outcome.rawControlPrinted == 0, "\(attack)")
            #expect(outcome.pendingLost == 0 && outcome.notesLost == 0, "\(attack)")
            if attack != .controlCharactersInANote { #expect(outcome.pushesSent == 0, "\(attack)") }
        }
        let all = outcomes.values
        print(
            "suite=hostile-servers attacks=\(outcomes.count) "
                + "wrong_exit=\(outcomes.filter { $0.value.exitCode != $0.key.exitCode }.count) "
                + "hung=\(all.filter { $0.seconds >= 20 }.count) "
                + "long_errors=\(all.filter { $0.stderrLines > 1 || $0.stderrBytes >= 1_000 }.count) "
                + "raw_control_printed=\(all.map(\.rawControlPrinted).reduce(0, +)) "
                + "pending_lost=\(all.map(\.pendingLost).reduce(0, +)) notes_lost=\(all.map(\.notesLost).reduce(0, +)) "
                + "seconds=\(Int(Date().timeIntervalSince(started)))")
    }

    /// A replica that trusts a scripted server, with two notes written offline, then one sync
    /// against `attack` and a look at everything it prints.
    func run(_ attack: Attack) throws -> Outcome {
        let server = try ScriptedHTTPServer { request in
            request.path == "/v1/me" ? .json(["user": "alice", "readOnly": false]) : .json(["error": "?"], status: 404)
        }
        defer { server.stop() }
        let alice = try Researcher("alice")
        try alice.ok("init", "--server", server.url, "--token", "t0ken")
        try alice.ok("import", TestPaths.sampleCorpus[0].path)
        let posts = try alice.json([PostOutput].self, "posts")
        let post = try #require(posts.first { $0.title == "Dandong traders report slower winter crossings" })
        let noteID = try alice.ok("annotate", post.id, "--quote", "Friendship Bridge", "--note", "mine")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        try alice.ok("annotate", post.id, "--quote", "rice cookers", "--note", "mine too")
        let pendingBefore = try alice.json(StatusOutput.self, "status").pending
        let replica = try #require(try alice.config()["replica"])

        server.answer { request in
            if attack == .hugeMultiLineError || request.path == "/v1/changes" {
                return Self.answer(attack, request: request, replica: replica, post: post.id, noteID: noteID)
            }
            if request.path == "/v1/wait" { return .json(["changed": false, "latest": 0]) }
            return .json(["error": ["code": "unavailable", "message": "down " + Self.hostileText]], status: 503)
        }
        let started = Date()
        let sync = try alice.run(["sync"])
        let seconds = Date().timeIntervalSince(started)

        var printed = sync.stdout + sync.stderr
        for command in [["notes"], ["read", post.id], ["log"], ["conflicts"], ["status"]] {
            let result = try alice.run(command)
            printed += result.stdout + result.stderr
        }
        let pendingAfter = try alice.json(StatusOutput.self, "status").pending
        let notes = try alice.json([NoteOutput].self, "notes").map(\.note)
        return Outcome(
            exitCode: sync.status, seconds: seconds, stderrLines: sync.stderr.split(separator: "\n").count,
            stderrBytes: sync.stderr.utf8.count, rawControlPrinted: Self.rawControlCharacters(in: printed),
            pendingLost: max(0, pendingBefore - pendingAfter),
            notesLost: ["mine", "mine too"].filter { !notes.contains($0) }.count,
            pushesSent: server.requests.filter { $0.method == "POST" }.count)
    }

    /// Control characters other than newline and tab, and the C1 range, as printed.
    static func rawControlCharacters(in text: String) -> Int {
        text.unicodeScalars.filter { scalar in
            (scalar.value < 0x20 && scalar != "\n" && scalar != "\t") || (0x7F...0x9F).contains(scalar.value)
        }.count
    }
}
