import NKProtocol

/// Reads and parses corpus files, all of them before anything is imported.
public enum CorpusLoader {
    /// The posts of every file, in order.
    ///
    /// - Throws: ``ServerError`` naming the file: `unreadable_file`, `invalid_corpus`
    ///   (`FILE: line N: message`) or `invalid_post` (`FILE: post 'TITLE': message`).
    public static func load(paths: [String]) throws -> [Post] {
        var posts: [Post] = []
        for path in paths {
            let file: CorpusFile
            do {
                file = try CorpusParser.parse(try read(path))
            } catch let error as CorpusParseError {
                throw ServerError(.invalidCorpus, "\(path): line \(error.line): \(error.message)")
            }
            try validate(file.posts, in: "\(path): ")
            posts += file.posts
        }
        return posts
    }

    /// Checks every post against the record limits before any is written.
    ///
    /// - Throws: ``ServerError`` `invalid_post` (`PREFIXpost 'TITLE': message`) for the first bad one.
    static func validate(_ posts: [Post], in prefix: String = "") throws {
        for post in posts {
            do {
                try post.validate()
            } catch {
                throw ServerError(.invalidPost, "\(prefix)post '\(post.title.prefix(60))': \(error.message)")
            }
        }
    }

    /// The file's text; a file that is there but not UTF-8 is `invalid_corpus` (bad input), any
    /// other failure `unreadable_file`.
    private static func read(_ path: String) throws -> String {
        do {
            return try CorpusParser.read(path)
        } catch {
            throw ServerError(error.reason == .notUTF8 ? .invalidCorpus : .unreadableFile, error.description)
        }
    }
}
