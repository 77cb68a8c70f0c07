import Foundation

/// Where things are when tests run.
public enum TestPaths {
    /// The checkout's top folder (the one with Package.swift).
    public static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // NKTestSupport
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()

    /// The folder with the built `nkserver` and `nkclient`: `$NK_BIN_DIR`, else beside the test bundle.
    public static let binaries: URL = {
        if let override = ProcessInfo.processInfo.environment["NK_BIN_DIR"] {
            return URL(fileURLWithPath: override)
        }
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent()
        // On some platforms the runner sits inside the bundle (`X.xctest/Contents/MacOS`).
        while folder.path.contains(".xctest") { folder.deleteLastPathComponent() }
        return folder
    }()

    public static var nkserver: URL { binaries.appendingPathComponent("nkserver") }
    public static var nkclient: URL { binaries.appendingPathComponent("nkclient") }
    public static var sampleCorpus: [URL] {
        ["border-trade.txt", "diplomacy.txt"].map {
            repositoryRoot.appendingPathComponent("samples/corpus").appendingPathComponent($0)
        }
    }
}

/// A fresh folder under the system's temporary folder, removed by `remove()`.
public struct TemporaryFolder: Sendable {
    public let url: URL

    public init(_ label: String = "nk") throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(label)-\(UUID().uuidString.prefix(8))", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    public func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    public func remove() { try? FileManager.default.removeItem(at: url) }
}
