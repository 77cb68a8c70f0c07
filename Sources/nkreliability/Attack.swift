import Foundation
import NKProtocol

/// The hostile request set of suite 6 and what the server answered.
final class Attack {
    let port: Int
    let token: String
    let replicaID: String
    let annotation: [String: Any]
    let postID: String
    let pid: Int32

    private(set) var requests = 0
    private(set) var serverErrors = 0
    private(set) var noAnswer = 0
    private(set) var unclear = 0
    private(set) var wrongStatus = 0
    private(set) var truncations = 0
    private(set) var crashes = 0
    private(set) var parseRejections = 0
    private(set) var peakKiB = 0
    private(set) var wrongCases: Set<String> = []
    private(set) var silentCases: Set<String> = []
    let verbose = ProcessInfo.processInfo.environment["NKRELIABILITY_VERBOSE"] != nil

    init(port: Int, token: String, replicaID: String, annotation: [String: Any], postID: String, pid: Int32) {
        self.port = port
        self.token = token
        self.replicaID = replicaID
        self.annotation = annotation
        self.postID = postID
        self.pid = pid
    }

    /// The server answers `/health` with 200.
    func healthy() -> Bool {
        RawConnection.exchange(port: port, RawConnection.request("GET", "/health", token: nil))?.status == 200
    }

    /// One case: the request, and the statuses that are right for it (nil: any status below 500).
    /// `httpLevel`: bytes that are not HTTP at all; the HTTP parser refuses them before any route
    /// runs, with a 400 that carries the same JSON error as every other (`MalformedRequestHandler`;
    /// counted in `http_parse_rejections`, and as unclear without the JSON error).
    private func send(
        _ name: String, _ bytes: Data, expect: Set<Int>? = nil, allowSilence: Bool = false, httpLevel: Bool = false,
        timeout: Int = 15
    ) -> RawResponse? {
        requests += 1
        let started = Date()
        let response = RawConnection.exchange(port: port, bytes, timeout: timeout)
        if verbose, Date().timeIntervalSince(started) > 0.5 {
            FileHandle.standardError.write(Data("slow: \(name) \(milliseconds(since: started)) ms\n".utf8))
        }
        peakKiB = max(peakKiB, residentKiB(pid: pid).peak)
        guard let response else {
            if !allowSilence {
                noAnswer += 1
                silentCases.insert(name)
            }
            if !healthy() { crashes += 1 }
            return nil
        }
        if response.status >= 500 {
            serverErrors += 1
            wrongCases.insert(name)
            FileHandle.standardError.write(
                Data("\(name): \(response.status) \(String(decoding: response.body.prefix(200), as: UTF8.self))\n".utf8)
            )
        }
        if httpLevel, response.status == 400 { parseRejections += 1 }
        if (400..<500).contains(response.status), response.errorCode == nil {
            unclear += 1
            wrongCases.insert("\(name)(no JSON error)")
        }
        if let expect, !expect.contains(response.status) {
            wrongStatus += 1
            wrongCases.insert("\(name)=\(response.status)")
        }
        return response
    }

    private func get(_ name: String, _ target: String, token: String? = nil, expect: Set<Int>? = nil) {
        _ = send(name, RawConnection.request("GET", target, token: token ?? self.token), expect: expect)
    }

    @discardableResult
    private func push(_ name: String, _ body: Data, expect: Set<Int>? = [400], headers: [String] = []) -> RawResponse? {
        send(
            name, RawConnection.request("POST", "/v1/push", token: token, body: body, headers: headers), expect: expect)
    }

    private func json(_ object: Any) -> Data {
        (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
    }

    /// A push of one version of a fresh annotation with `change` applied to its body.
    private func version(id: String? = nil, vector: Any? = nil, _ change: (inout [String: Any]) -> Void = { _ in })
        -> [String: Any]
    {
        var body = annotation
        let id = id ?? UUID().uuidString.lowercased()
        body["id"] = id
        change(&body)
        return [
            "type": "annotation", "id": id, "version": vector ?? [replicaID: 1], "deleted": false, "annotation": body,
        ]
    }

    private func pushBody(_ versions: [[String: Any]], replica: String? = nil) -> Data {
        json(["replica": replica ?? replicaID, "versions": versions])
    }

    func sendAll() {
        sendMalformed()
        sendSizes()
        sendSneakyStrings()
        sendVectors()
        sendQueries()
        sendAuth()
        sendProtocolAbuse()
        if !healthy() { crashes += 1 }
    }

    private func sendMalformed() {
        for (name, text) in [
            ("truncated", "{\"replica\":"), ("array", "[]"), ("string", "\"x\""), ("null", "null"), ("number", "42"),
            ("empty", ""), ("wrong-types", "{\"replica\":5,\"versions\":\"x\"}"),
            ("wrong-item", "{\"replica\":\"a\",\"versions\":[{\"type\":\"annotation\",\"id\":1}]}"),
            ("wrong-type-name", "{\"replica\":\"a\",\"versions\":[{\"type\":\"user\",\"id\":\"x\",\"version\":{}}]}"),
            ("trailing", "{\"replica\":\"a\",\"versions\":[]} x"),
            ("bom", "\u{FEFF}{\"replica\":\"a\",\"versions\":[]}"),
        ] {
            push("malformed-\(name)", Data(text.utf8), expect: name == "bom" ? [200, 400] : [400])
        }
        push("deep-array", Data((String(repeating: "[", count: 200_000) + String(repeating: "]", count: 200_000)).utf8))
        let deepObject = String(repeating: "{\"a\":", count: 100_000) + "1" + String(repeating: "}", count: 100_000)
        push(
            "deep-vector",
            Data(
                "{\"replica\":\"\(replicaID)\",\"versions\":[{\"type\":\"annotation\",\"id\":\"x\",\"version\":\(deepObject)}]}"
                    .utf8))
        var invalidUTF8 = Data("{\"replica\":\"\(replicaID)\",\"versions\":[],\"x\":\"".utf8)
        invalidUTF8.append(contentsOf: [0xFF, 0xFE, 0xC3, 0x28, 0xED, 0xA0, 0x80])
        invalidUTF8.append(Data("\"}".utf8))
        push("invalid-utf8", invalidUTF8)
        var version = json(self.version { $0["note"] = "utf8" })
        if let range = version.range(of: Data("utf8".utf8)) {
            version.replaceSubrange(range, with: [0xC3, 0x28, 0xFF, 0x41])
        }
        var utf8Body = Data("{\"replica\":\"\(replicaID)\",\"versions\":[".utf8)
        utf8Body.append(version)
        utf8Body.append(Data("]}".utf8))
        push("invalid-utf8-note", utf8Body)
        push(
            "duplicate-keys",
            Data("{\"replica\":\"\(replicaID)\",\"replica\":\"someone-else\",\"versions\":[]}".utf8),
            expect: [200, 400, 403])
        push("lone-surrogate", Data("{\"replica\":\"\\ud800\",\"versions\":[]}".utf8))
    }

    private func sendSizes() {
        let valid = pushBody([version { $0["note"] = "at the limit" }])
        var atLimit = valid
        atLimit.append(Data(repeating: 0x20, count: Wire.maxBodyBytes - valid.count))
        push("body-at-limit", atLimit, expect: [200])
        var over = valid
        over.append(Data(repeating: 0x20, count: Wire.maxBodyBytes + 1 - valid.count))
        push("body-over-limit", over, expect: [413])
        push("body-chunked-over-limit", chunked(over), expect: [413], headers: ["Transfer-Encoding: chunked"])
        push("body-chunked-at-limit", chunked(atLimit), expect: [200], headers: ["Transfer-Encoding: chunked"])
        _ = send(
            "content-length-huge",
            RawConnection.request(
                "POST", "/v1/push", token: token, body: Data("{}".utf8), headers: ["Content-Length: 99999999999"]),
            expect: [413])
        push("batch-501", pushBody((0..<501).map { _ in version() }))
        push("note-100001", pushBody([version { $0["note"] = String(repeating: "n", count: 100_001) }]), expect: [200])
        push("tags-65", pushBody([version { $0["tags"] = (0..<65).map { "t\($0)" } }]), expect: [200])
    }

    private func chunked(_ body: Data) -> Data {
        var data = Data()
        var offset = 0
        while offset < body.count {
            let size = min(1 << 20, body.count - offset)
            data.append(Data((String(size, radix: 16) + "\r\n").utf8))
            data.append(body[offset..<offset + size])
            data.append(Data("\r\n".utf8))
            offset += size
        }
        data.append(Data("0\r\n\r\n".utf8))
        return data
    }

    private func sendSneakyStrings() {
        // NUL inside a note and a tag: stored whole or refused, never cut short.
        let id = UUID().uuidString.lowercased()
        let note = "before\u{0}after"
        if let response = push(
            "nul-note",
            pushBody([
                version(id: id) {
                    $0["note"] = note; $0["tags"] = ["a\u{0}b"]
                }
            ]), expect: [200]),
            response.status == 200,
            let stored = RawConnection.exchange(
                port: port, RawConnection.request("GET", "/v1/records/annotation/\(id)", token: token))
        {
            let text = String(decoding: stored.body, as: UTF8.self)
            if stored.status == 200, !text.contains("before\\u0000after") { truncations += 1 }
        }
        push("nul-replica", pushBody([version()], replica: "a\u{0}b"), expect: [400, 403])
        push("nul-id", pushBody([version(id: "abc\u{0}def")]), expect: [200])
        push("nul-vector-key", pushBody([version(vector: [replicaID: 1, "x\u{0}y": 1])]), expect: [200])
        for (name, text) in [
            ("sql", "'; DROP TABLE versions; --"), ("sql-or", "1' OR '1'='1"), ("path", "../../../etc/passwd"),
            ("path-encoded", "..%2F..%2Fetc%2Fpasswd"), ("long", String(repeating: "x", count: 10_000)),
        ] {
            push(
                "\(name)-note",
                pushBody([
                    version {
                        $0["note"] = text; $0["tags"] = [text]
                    }
                ]), expect: [200])
            push("\(name)-id", pushBody([version(id: text)]), expect: [200])
            push("\(name)-replica", pushBody([version()], replica: text), expect: [400, 403])
            push("\(name)-visibility", pushBody([version { $0["visibility"] = text }]), expect: [200, 400])
            push("\(name)-post", pushBody([version { $0["postId"] = text }]), expect: [200, 400])
            let escaped = text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text
            get("\(name)-record", "/v1/records/annotation/\(escaped)", expect: [404])
            get("\(name)-record-post", "/v1/records/post/\(escaped)", expect: [404])
            get("\(name)-since", "/v1/changes?since=\(escaped)", expect: [400])
        }
        get("path-raw", "/v1/records/post/../../etc/passwd", expect: [404])
        get("record-type", "/v1/records/user/x", expect: [404])
        push("unknown-post", pushBody([version { $0["postId"] = "ffffffffffffffff" }]), expect: [200])
    }

    private func sendVectors() {
        for (name, vector) in [
            ("huge", [replicaID: 9_007_199_254_740_993] as [String: Any]), ("overflow", [replicaID: 1e300]),
            ("negative", [replicaID: -1]), ("fraction", [replicaID: 1.5]), ("string", [replicaID: "1"]),
            ("empty", [:]), ("zero", [replicaID: 0]), ("empty-key", [replicaID: 1, "": 1]),
            ("long-key", [replicaID: 1, String(repeating: "k", count: 10_000): 1]),
            (
                "many",
                Dictionary(uniqueKeysWithValues: (0..<5000).map { ("r\($0)", 1 as Any) }).merging([replicaID: 1]) { $1 }
            ),
            ("max", [replicaID: 9_007_199_254_740_992]),
        ] {
            push("vector-\(name)", pushBody([version(vector: vector)]), expect: [200, 400])
        }
        push("vector-not-object", pushBody([version(vector: [1, 2, 3])]))
    }

    private func sendQueries() {
        for (name, query, expect) in [
            ("negative", "since=-1", 400), ("text", "since=abc", 400), ("overflow", "since=99999999999999999999", 400),
            ("ahead", "since=9000000000000000000", 400), ("limit-0", "since=0&limit=0", 400),
            ("limit-1001", "since=0&limit=1001", 400), ("limit-text", "since=0&limit=x", 400),
            ("nul", "since=%00", 400), ("repeated", "since=0&since=5", 200), ("ok", "since=0&limit=1000", 200),
        ] {
            get("changes-\(name)", "/v1/changes?\(query)", expect: [expect])
        }
        for (name, query, expect) in [
            ("negative", "since=-1&timeout=0", 400), ("timeout-61", "since=0&timeout=61", 400),
            ("timeout-negative", "since=0&timeout=-1", 400), ("missing", "timeout=0", 400),
            ("ahead", "since=9000000000000000000&timeout=0", 400), ("ok", "since=0&timeout=0", 200),
        ] {
            get("wait-\(name)", "/v1/wait?\(query)", expect: [expect])
        }
        get("me", "/v1/me", expect: [200])
        get("openapi", "/openapi.json", expect: [200])
        get("unknown-route", "/v1/nothing", expect: [404])
    }

    private func sendAuth() {
        for (name, header) in [
            ("none", nil), ("wrong", "Authorization: Bearer nope"), ("empty", "Authorization: Bearer "),
            ("basic", "Authorization: Basic YTpi"), ("nul", "Authorization: Bearer a\u{0}b"),
            ("huge", "Authorization: Bearer " + String(repeating: "t", count: 60_000)),
        ] as [(String, String?)] {
            let bytes = RawConnection.request("GET", "/v1/me", token: nil, headers: header.map { [$0] } ?? [])
            _ = send(
                "auth-\(name)", bytes, expect: [400, 401, 431], allowSilence: name == "huge",
                httpLevel: name == "nul" || name == "huge")
        }
    }

    private func sendProtocolAbuse() {
        _ = send("garbage", Data("GARBAGE\r\n\r\n".utf8), allowSilence: true, httpLevel: true)
        _ = send("http-0.9", Data("GET /health\r\n\r\n".utf8), allowSilence: true, httpLevel: true)
        // A body shorter than its Content-Length: the server must give up, not hang or fail.
        _ = send(
            "short-body",
            RawConnection.request(
                "POST", "/v1/push", token: token, body: Data("{\"replica\"".utf8), headers: ["Content-Length: 100"]),
            allowSilence: true, timeout: 2)
        _ = send("method", RawConnection.request("DELETE", "/v1/push", token: token), expect: [404, 405])
        // Several at-limit bodies at once: memory must stay bounded.
        let big = pushBody([version { $0["note"] = String(repeating: "m", count: 90_000) }])
        var atLimit = big
        atLimit.append(Data(repeating: 0x20, count: Wire.maxBodyBytes - big.count))
        let port = self.port
        let token = self.token
        let parallelBody = atLimit
        let group = DispatchGroup()
        let statuses = StatusBox()
        for _ in 0..<6 {
            DispatchQueue.global().async(group: group) {
                let response = RawConnection.exchange(
                    port: port, RawConnection.request("POST", "/v1/push", token: token, body: parallelBody))
                statuses.add(response?.status ?? 0)
            }
        }
        group.wait()
        requests += 6
        peakKiB = max(peakKiB, residentKiB(pid: pid).peak)
        for status in statuses.all where status != 200 {
            if status >= 500 { serverErrors += 1 }
            if status == 0 { noAnswer += 1 }
            wrongStatus += 1
            wrongCases.insert("parallel-at-limit=\(status)")
        }
    }
}

final class StatusBox: @unchecked Sendable {
    private let lock = NSLock()
    private var statuses: [Int] = []
    func add(_ status: Int) { lock.withLock { statuses.append(status) } }
    var all: [Int] { lock.withLock { statuses } }
}
