import NKProtocol

/// Reads and parses corpus files for `nkclient import`, every file before anything is written.
public enum CorpusFiles {
    /// The posts of every file, in order.
    ///
    /// - Throws: ``ClientError/Code/invalidInput`` naming the file: `FILE: line N: message` for a file
    ///   that is not in the format, `FILE: post 'TITLE': message` for a post that breaks the record
    ///   limits, `FILE: no such file` (or another reason) when it cannot be read.
    public static func load(paths: [String]) throws(ClientError) -> [Post] {
        var posts: [Post] = []
        for path in paths {
            let text = try read(path)
            let file: CorpusFile
            do {
                file = try CorpusParser.parse(text)
            } catch {
                throw ClientError(.invalidInput, "\(path): line \(error.line): \(error.message)")
            }
            for post in file.posts {
                do {
                    try post.validate()
                } catch {
                    throw ClientError(.invalidInput, "\(path): post '\(post.title.prefix(60))': \(error.message)")
                }
            }
            posts += file.posts
        }
        return posts
    }

    /// The file's text, or a clear error naming it (``NKProtocol/CorpusReadError``).
    public static func read(_ path: String) throws(ClientError) -> String {
        do {
            return try CorpusParser.read(path)
        } catch {
            throw ClientError(.invalidInput, error.description)
        }
    }
}
