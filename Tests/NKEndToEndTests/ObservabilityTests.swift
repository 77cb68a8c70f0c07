import Foundation
import NKTestSupport
import NKTestTraits
import Testing

/// `nkserver serve --metrics-port --log-format json`, `/health` and `/ready`, with the real binary.
@Suite(.serialized, .processes, .tags(.live)) struct ObservabilityTests {
    /// The value of the first sample of `name` whose labels contain every one of `labels`.
    static func sample(_ text: String, _ name: String, _ labels: [String] = []) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(name + "{") || line.hasPrefix(name + " ") {
            guard labels.allSatisfy({ line.contains($0) }), let value = line.split(separator: " ").last else {
                continue
            }
            return Double(value)
        }
        return nil
    }

    @Test func metricsAreServedApartFromTheAPIAndCountWhatHappened() throws {
        let server = try LiveServer()
        server.stop()
        let process = try BackgroundProcess(
            server.nkserver,
            ["serve"] + server.storeArguments + [
                "--host", "127.0.0.1", "--port", "0", "--metrics-port", "0", "--log-format", "json",
            ])
        defer { process.stop() }
        let api = String(try process.firstLine().dropFirst("listening on ".count))
        var metricsURL = ""
        #expect(
            try waitUntil(10) {
                metricsURL =
                    process.stderrText().split(separator: "\n").first { $0.hasPrefix("metrics on ") }
                    .map { String($0.dropFirst("metrics on ".count)) } ?? ""
                return !metricsURL.isEmpty
            })
        #expect(metricsURL.hasPrefix("http://127.0.0.1:") && metricsURL.hasSuffix("/metrics"))

        // A researcher syncs and pushes a note, and one request is refused
        let alice = try Researcher("alice")
        try alice.ok("init", "--server", api, "--token", try server.addUser("alice"))
        try alice.ok("sync")
        let post = try #require(try alice.json([PostOutput].self, "posts").first)
        _ = try alice.ok("annotate", post.id, "--note", "counted")
        try alice.ok("sync")
        #expect(try RawHTTP.send("GET", "\(api)/v1/me", token: "wrong").status == 401)

        let metrics = try runCommand(URL(fileURLWithPath: "/usr/bin/curl"), ["-s", metricsURL])
        #expect(metrics.succeeded)
        let text = metrics.stdout
        #expect((Self.sample(text, "nk_push_items_total", [#"result="applied""#]) ?? 0) >= 1, "\(text)")
        #expect((Self.sample(text, "nk_pull_pages_total") ?? 0) >= 2)
        #expect(
            (Self.sample(text, "hb_requests", [#"http_route="/v1/push""#, #"http_response_status_code="200""#]) ?? 0)
                >= 1)
        #expect(Self.sample(text, "hb_requests", [#"http_route="/v1/me""#, #"http_response_status_code="401""#]) == 1)
        #expect(
            (Self.sample(text, "http_server_request_duration_count", [#"http_route="/v1/changes""#]) ?? 0) >= 2)
        #expect((Self.sample(text, "nk_database_bytes") ?? 0) > 0)

        // Not on the API's port; the API's health and readiness
        #expect(try RawHTTP.send("GET", "\(api)/metrics", token: "x").status == 404)
        let health = try RawHTTP.send("GET", "\(api)/health", token: "x")
        let healthStatus = try health.object()["status"] as? String
        #expect(health.status == 200 && healthStatus == "ok")
        let ready = try RawHTTP.send("GET", "\(api)/ready", token: "x")
        let readyStatus = try ready.object()["status"] as? String
        #expect(ready.status == 200 && readyStatus == "ok")

        // Over plain HTTP there is nothing to reload: SIGHUP (systemctl reload) leaves it serving
        #expect(process.send(SIGHUP))
        Thread.sleep(forTimeInterval: 0.3)
        #expect(process.isRunning)
        #expect(try RawHTTP.send("GET", "\(api)/ready", token: "x").status == 200)

        // Every log line is one JSON object with a level and a message
        let logs = process.stderrText().split(separator: "\n").filter { !$0.hasPrefix("metrics on ") }
        #expect(!logs.isEmpty)
        for line in logs {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object?["level"] is String && object?["message"] is String && object?["time"] is String, "\(line)")
        }
    }

    @Test func badObservabilityOptionsAreRefusedInOneLine() throws {
        for (arguments, message) in [
            (["--log-format", "xml"], "--log-format must be text or json"),
            (["--metrics-port", "70000"], "--metrics-port must be 0 to 65535"),
            (["--port", "9000", "--metrics-port", "9000"], "--metrics-port must differ from --port"),
        ] {
            let result = try runCommand(TestPaths.nkserver, ["serve", "--db", "/nonexistent/x.sqlite"] + arguments)
            #expect(result.status != 0)
            #expect(result.stderr.contains(message), "\(result)")
        }
    }
}
