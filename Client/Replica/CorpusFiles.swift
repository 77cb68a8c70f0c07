import Foundation
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

    /// The file's text, or a clear error naming it.
    public static func read(_ path: String) throws(ClientError) -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ClientError(.invalidInput, "\(path): no such file")
        }
        guard !isDirectory.boolValue else {
            throw ClientError(.invalidInput, "\(path): is a directory, not a corpus file")
        }
        guard let data = FileContents.read(atPath: path) else {
            throw ClientError(.invalidInput, "\(path): cannot be read (check its permissions)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ClientError(.invalidInput, "\(path): is not UTF-8 text")
        }
        return text
    }
}
