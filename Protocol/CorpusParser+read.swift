import Foundation

/// Why a corpus file could not be read as text. Its description names the file:
/// `PATH: no such file`.
public struct CorpusReadError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Reason: Hashable, Sendable {
        /// Nothing is at the path.
        case noSuchFile
        /// The path is a directory.
        case directory
        /// The file cannot be opened or read (its permissions, an I/O error).
        case unreadable
        /// The file's bytes are not UTF-8: it is there, but it is not a corpus file.
        case notUTF8
    }

    public var path: String
    public var reason: Reason

    public var description: String {
        switch reason {
        case .noSuchFile: "\(path): no such file"
        case .directory: "\(path): is a directory, not a corpus file"
        case .unreadable: "\(path): cannot be read (check its permissions)"
        case .notUTF8: "\(path): is not UTF-8 text"
        }
    }
}

extension CorpusParser {
    /// The text of the corpus file at `path`, for ``parse(_:)``; `nkserver import` and
    /// `nkclient import` and `post edit` read their files with it.
    public static func read(_ path: String) throws(CorpusReadError) -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw CorpusReadError(path: path, reason: .noSuchFile)
        }
        guard !isDirectory.boolValue else {
            throw CorpusReadError(path: path, reason: .directory)
        }
        guard let data = FileContents.read(atPath: path) else {
            throw CorpusReadError(path: path, reason: .unreadable)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw CorpusReadError(path: path, reason: .notUTF8)
        }
        return text
    }
}
