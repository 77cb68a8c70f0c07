import Foundation
import NKProtocol

/// The folder that holds a replica: `config.json` and `replica.sqlite`.
public struct ReplicaHome: Sendable, Hashable {
    /// The folder.
    public var url: URL

    public init(url: URL) { self.url = url }

    /// The folder from `--home`, else `$NKCLIENT_HOME`, else `~/.nkclient`.
    public static func resolve(option: String?, environment: [String: String] = ProcessInfo.processInfo.environment)
        -> ReplicaHome
    {
        if let option, !option.isEmpty { return ReplicaHome(url: URL(fileURLWithPath: expandTilde(option))) }
        if let value = environment["NKCLIENT_HOME"], !value.isEmpty {
            return ReplicaHome(url: URL(fileURLWithPath: expandTilde(value)))
        }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return ReplicaHome(url: URL(fileURLWithPath: home).appendingPathComponent(".nkclient"))
    }

    private static func expandTilde(_ path: String) -> String {
        (path as NSString).expandingTildeInPath
    }

    /// The folder's path, for messages.
    public var path: String { url.path }
    var configURL: URL { url.appendingPathComponent("config.json") }
    var databaseURL: URL { url.appendingPathComponent("replica.sqlite") }

    /// True when the folder holds a replica (its config or its database).
    public var holdsReplica: Bool {
        FileManager.default.fileExists(atPath: configURL.path)
            || FileManager.default.fileExists(atPath: databaseURL.path)
    }

    /// Reads `config.json`.
    func loadConfig() throws(ClientError) -> ClientConfig {
        guard FileManager.default.fileExists(atPath: configURL.path),
            FileManager.default.fileExists(atPath: databaseURL.path)
        else {
            throw ClientError(.noReplica, "no replica in \(path); run nkclient init --server URL --token TOKEN")
        }
        // A file that cannot be read (an I/O error) is not a file that is wrong: saying "not a valid
        // replica config" then would send the researcher to `init --force`, losing unpushed changes.
        let data: Data
        do {
            data = try Data(contentsOf: configURL)
        } catch {
            let reason = ClientError.oneLine(error)
            throw ClientError(.storage, "cannot read \(configURL.path): \(reason); the replica is untouched, try again")
        }
        do {
            return try JSONDecoder().decode(ClientConfig.self, from: data)
        } catch {
            throw ClientError(.configuration, "cannot read \(configURL.path): it is not a valid replica config")
        }
    }

    /// Writes `config.json` atomically with mode 0600.
    func saveConfig(_ config: ClientConfig) throws(ClientError) {
        try ClientError.wrappingStorage("cannot write \(configURL.path)") {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            let data = try encoder.encode(config)
            let temporary = url.appendingPathComponent(".config.json.tmp")
            _ = FileManager.default.createFile(
                atPath: temporary.path, contents: nil, attributes: [.posixPermissions: 0o600])
            try data.write(to: temporary)
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: temporary.path)
            if rename(temporary.path, configURL.path) != 0 {
                throw ClientError(.storage, "cannot write \(configURL.path): \(String(cString: strerror(errno)))")
            }
        }
    }

    /// Creates the folder (mode 0700) if needed.
    func createFolder() throws(ClientError) {
        try ClientError.wrappingStorage("cannot create \(path)") {
            try FileManager.default.createDirectory(
                at: url, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
    }

    /// Removes the replica's files (for `init --force`).
    func removeReplicaFiles() throws(ClientError) {
        for name in [
            "config.json", "replica.sqlite", "replica.sqlite-wal", "replica.sqlite-shm", "replica.sqlite-journal",
        ] {
            let file = url.appendingPathComponent(name)
            if FileManager.default.fileExists(atPath: file.path) {
                try ClientError.wrappingStorage("cannot remove \(file.path)") {
                    try FileManager.default.removeItem(at: file)
                }
            }
        }
    }
}
