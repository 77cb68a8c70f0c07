import Foundation
import NKProtocol
import NKTestSupport
import NKTestTraits
import Testing

@testable import NKClient

@Suite(.tags(.unit)) struct ReplicaImportTests {
    let me = ReplicaID("rep-alice")

    /// A corpus file in the dump format, written to `folder`.
    func corpusFile(_ folder: ScratchFolder, _ name: String, _ text: String) throws -> String {
        let path = folder.url.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static let corpus = """
        Category: Tests

        First post

        Posted on by

        The first paragraph mentions hard currency.

        [Sample Wire]

        Second post

        Posted on 1 May 2024 by Kim

        [Editor's note: shortened.]

        The second post goes on elsewhere.

        [continued]
        """

    @Test func theSampleCorpusImportsAsNewPendingPostsThenUnchanged() throws {
        let folder = try ScratchFolder()
        let replica = try Fixtures.replica(in: folder, posts: [])
        let posts = try CorpusFiles.load(paths: TestPaths.sampleCorpus.map(\.path))

        let first = try replica.importPosts(posts)
        #expect(first == ImportSummary(new: 8, updated: 0, unchanged: 0))
        #expect(first.description == "8 posts (8 new / 0 updated / 0 merged / 0 in conflict / 0 unchanged)")
        #expect(try replica.posts().count == 8)
        #expect(try replica.status().pending == 8)
        let held = try replica.held(posts[0].id.rawValue, type: .post)
        #expect(held.count == 1 && held[0].pending && held[0].version.version == VersionVector([me: 1]))

        // Importing the same files again changes nothing.
        #expect(try replica.importPosts(posts) == ImportSummary(new: 0, updated: 0, unchanged: 8))
        #expect(try replica.status().pending == 8)
    }

    @Test func aChangedFileOverAConcurrentCorrectionOfTheSameParagraphIsAConflict() throws {
        let folder = try ScratchFolder()
        let replica = try Fixtures.replica(in: folder, posts: [])
        let path = try corpusFile(folder, "a.txt", Self.corpus)
        try replica.importPosts(CorpusFiles.load(paths: [path]))
        // Given the first post also came from the server as a concurrent version
        let posts = try CorpusFiles.load(paths: [path])
        var serverCopy = posts[0]
        serverCopy.body = ["The server's text."]
        try replica.applyRemote(Fixtures.postVersion(serverCopy, counter: 3))
        #expect(try replica.held(posts[0].id.rawValue, type: .post).count == 2)

        // When a corrected file is imported
        let corrected = Self.corpus.replacingOccurrences(of: "mentions hard", with: "mentions scarce")
        let summary = try replica.importPosts(CorpusFiles.load(paths: [try corpusFile(folder, "b.txt", corrected)]))

        // Then the server's version (a correction of the paragraph the dump changed) stays, and the
        // dump's version stands beside it, pending: a conflict, nothing lost. The other is unchanged.
        #expect(summary == ImportSummary(new: 0, updated: 0, conflicts: 1, unchanged: 1))
        let held = try replica.held(posts[0].id.rawValue, type: .post)
        #expect(held.count == 2)
        let bodies = held.compactMap { version -> [String]? in
            if case .post(let post) = version.version.body { return post.body }
            return nil
        }
        #expect(Set(bodies) == [["The server's text."], ["The first paragraph mentions scarce currency."]])
        // (This replica's counters grow across records: the two imported posts took 1 and 2.)
        #expect(held.contains { $0.pending && $0.version.version == VersionVector([me: 3]) })
    }

    @Test func aBadFileImportsNothingAndNamesItsLine() throws {
        let folder = try ScratchFolder()
        let replica = try Fixtures.replica(in: folder, posts: [])
        let good = try corpusFile(folder, "good.txt", Self.corpus)
        let bad = try corpusFile(folder, "bad.txt", "Category: Bad\n\nA title\n\nNo posted line here\n")

        #expect {
            try CorpusFiles.load(paths: [good, bad])
        } throws: { error in
            let error = error as? ClientError
            return error?.code == .invalidInput && error?.message.hasPrefix("\(bad): line 5: ") == true
        }
        #expect {
            try CorpusFiles.load(paths: [good, folder.url.appendingPathComponent("missing.txt").path])
        } throws: { ($0 as? ClientError)?.message.hasSuffix("missing.txt: no such file") == true }
        #expect(try replica.posts().isEmpty)
        #expect(try replica.status().pending == 0)
    }

    @Test func aPostBreakingTheLimitsImportsNothing() throws {
        let folder = try ScratchFolder()
        let replica = try Fixtures.replica(in: folder, posts: [])
        let good = Post(title: "Fine", body: ["ok"], category: "Tests", source: "S")
        let bad = Post(title: "Bad", body: ["x\u{0}y"], category: "Tests", source: "S")
        #expect(throws: ClientError.self) { try replica.importPosts([good, bad]) }
        #expect(try replica.posts().isEmpty)
    }

    @Test func theRealDumpImportsTenPosts() throws {
        let dump = TestPaths.repositoryRoot.deletingLastPathComponent()
            .appendingPathComponent("shared/corpus/000_d9f8f614433d46c3.txt")
        try #require(FileManager.default.fileExists(atPath: dump.path), "the real dump is not here")
        let folder = try ScratchFolder()
        let replica = try Fixtures.replica(in: folder, posts: [])
        let summary = try replica.importPosts(CorpusFiles.load(paths: [dump.path]))
        #expect(summary == ImportSummary(new: 10, updated: 0, unchanged: 0))
        let posts = try replica.posts()
        #expect(posts.count == 10)
        #expect(Set(posts.map(\.id)).count == 10)
    }

    @Test func theSummaryEncodesAsDocumented() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let data = try encoder.encode(ImportSummary(new: 1, updated: 2, merged: 4, conflicts: 5, unchanged: 3))
        #expect(
            String(decoding: data, as: UTF8.self)
                == #"{"conflicts":5,"merged":4,"new":1,"posts":15,"unchanged":3,"updated":2}"#)
    }

    @Test func progressIsReportedUpToTheTotal() throws {
        final class Recorder: ProgressReporter, @unchecked Sendable {
            let lock = NSLock()
            var reports: [(Int, Int?)] = []
            func report(_ phase: String, completed: Int, total: Int?) {
                lock.withLock { reports.append((completed, total)) }
            }
        }
        let folder = try ScratchFolder()
        let replica = try Fixtures.replica(in: folder, posts: [])
        let recorder = Recorder()
        try replica.importPosts(CorpusFiles.load(paths: TestPaths.sampleCorpus.map(\.path)), progress: recorder)
        #expect(recorder.reports.last?.0 == 8 && recorder.reports.last?.1 == 8)
        #expect(recorder.reports.map(\.0) == Array(0...8))
    }
}
