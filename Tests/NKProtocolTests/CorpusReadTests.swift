import Foundation
import NKProtocol
import NKTestSupport
import NKTestTraits
import Testing

/// `CorpusParser.read`: the one reader of corpus files for `nkserver import` and the client's
/// `import` and `post edit`, each failure named with its file.
@Suite(.tags(.unit)) struct CorpusReadTests {
    @Test func aFileIsReadAndEachFailureNamesItsReason() throws {
        let folder = try TemporaryFolder("nk-corpus-read")
        defer { folder.remove() }
        let good = folder.path("good.txt")
        try Data("Category: Test\n\nÜber\n".utf8).write(to: URL(fileURLWithPath: good))
        let latin1 = folder.path("latin1.txt")
        try Data([0x43, 0x61, 0x66, 0xE9, 0x0A]).write(to: URL(fileURLWithPath: latin1))
        let missing = folder.path("missing.txt")

        #expect(try CorpusParser.read(good) == "Category: Test\n\nÜber\n")
        let cases: [(String, CorpusReadError.Reason, String)] = [
            (missing, .noSuchFile, "\(missing): no such file"),
            (folder.url.path, .directory, "\(folder.url.path): is a directory, not a corpus file"),
            (latin1, .notUTF8, "\(latin1): is not UTF-8 text"),
        ]
        for (path, reason, message) in cases {
            let error = #expect(throws: CorpusReadError.self) { try CorpusParser.read(path) }
            #expect(error?.reason == reason && error?.path == path)
            #expect(error?.description == message)
        }
    }

    /// A file that opens but fails to read (root reads any file whatever its permissions, so a
    /// file of Linux's /proc that refuses to be read stands for one).
    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/proc/self/mem")))
    func aFileThatCannotBeReadIsUnreadable() {
        let error = #expect(throws: CorpusReadError.self) { try CorpusParser.read("/proc/self/mem") }
        #expect(error?.reason == .unreadable)
    }
}
