import ArgumentParser
import NKProtocol
import NKServer

/// `nkserver import FILE...`: parses every file, then imports all their posts in one transaction.
struct Import: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Import corpus files; a bad file imports nothing. Re-importing a file changes nothing."
    )

    @Argument(help: ArgumentHelp("Corpus files in the blog-dump format.", valueName: "file"))
    var files: [String] = []

    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        guard !files.isEmpty else {
            throw ValidationError("name at least one corpus file to import")
        }
    }

    func run() async throws {
        let posts = try CorpusLoader.load(paths: files)
        let summary = try await database.withStore { try await $0.importPosts(posts) }
        print(summary.description)
    }
}
