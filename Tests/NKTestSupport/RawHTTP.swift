import Foundation

/// A request sent with the `curl` command, bypassing `nkclient`'s own checks (to forge what a
/// modified client could send).
public struct RawHTTP {
    public var status: Int
    public var body: Data

    /// Sends `method url` with `Authorization: Bearer token`, `headers` and a JSON body.
    public static func send(
        _ method: String, _ url: String, token: String, json: Any? = nil, headers: [String: String] = [:]
    ) throws -> RawHTTP {
        var arguments = ["-s", "-X", method, "-H", "Authorization: Bearer \(token)", "-w", "\n%{http_code}"]
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) { arguments += ["-H", "\(name): \(value)"] }
        var bodyFile: URL?
        if let json {
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("nk-raw-\(UUID().uuidString)")
            try JSONSerialization.data(withJSONObject: json).write(to: file)
            arguments += ["-H", "Content-Type: application/json", "--data-binary", "@\(file.path)"]
            bodyFile = file
        }
        defer { if let bodyFile { try? FileManager.default.removeItem(at: bodyFile) } }
        let result = try runCommand(URL(fileURLWithPath: "/usr/bin/curl"), arguments + [url], timeout: 30)
        guard result.succeeded, let split = result.stdout.lastIndex(of: "\n"),
            let status = Int(result.stdout[result.stdout.index(after: split)...])
        else { throw HarnessError("curl \(method) \(url) failed: \(result)") }
        return RawHTTP(status: status, body: Data(result.stdout[..<split].utf8))
    }

    /// The body as a JSON object.
    public func object() throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: body) as? [String: Any] else {
            throw HarnessError("not a JSON object: \(String(decoding: body, as: UTF8.self))")
        }
        return object
    }
}

extension Researcher {
    /// The stored `config.json`: `server`, `token`, `user`, `replica`.
    public func config() throws -> [String: String] {
        let data = try Data(contentsOf: home.url.appendingPathComponent("config.json"))
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw HarnessError("\(name): config.json is not an object")
        }
        return object.compactMapValues { $0 as? String }
    }
}
