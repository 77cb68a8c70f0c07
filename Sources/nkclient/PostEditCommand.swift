import ArgumentParser
import Foundation
import NKClient

/// `nkclient post edit POST_ID [--file F]`.
struct PostEditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "edit",
        abstract: "Record a corrected version of a post (opens $EDITOR, or reads --file).",
        discussion: """
            The post is written in the blog-dump format of one post (Category line, title, Posted on \
            line, optional [editor note], paragraphs, [source] or [continued]) and parsed back. The post \
            keeps its id even if the title changes. Notes on it re-anchor to the new text.
            """
    )

    @OptionGroup var options: HomeOptions

    @Argument(help: ArgumentHelp("The post's id, or a unique prefix of it.", valueName: "POST_ID"))
    var postID: String

    @Option(help: ArgumentHelp("Read the corrected post from this file instead of opening an editor.", valueName: "F"))
    var file: String?

    func run() throws {
        let replica = try options.openReplica()
        let result: PostEdit
        let id: String
        if let file {
            let text = try CorpusFiles.read(file)
            id = try replica.post(postID).post.id.rawValue
            do {
                result = try replica.editPost(id, text: text)
            } catch {
                throw Self.naming(error, file)
            }
        } else {
            let dump = try replica.postDump(postID)
            id = dump.id.rawValue
            let path = try Self.edit(dump.text, id: id)
            let text = try CorpusFiles.read(path)
            do {
                result = try replica.editPost(id, text: text)
            } catch {
                throw ClientError(error.code, "\(error.message); nothing was changed, and your text is kept in \(path)")
            }
            try? FileManager.default.removeItem(atPath: path)
        }
        switch result {
        case .unchanged:
            print("post \(id) is unchanged; nothing was written")
        case .updated:
            print("post \(id) corrected (pending; nkclient sync shares it)")
        }
    }

    private static func naming(_ error: ClientError, _ file: String) -> ClientError {
        guard error.code == .invalidInput else { return error }
        return ClientError(error.code, "\(file): \(error.message); nothing was changed")
    }

    /// Writes `text` to a temporary file, opens `$EDITOR` (else `$VISUAL`, else `vi`) on it, and
    /// returns the file's path once the editor exits successfully.
    private static func edit(_ text: String, id: String) throws -> String {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("nkclient-post-\(id)-\(UUID().uuidString.prefix(8)).txt").path
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8)) else {
            throw ClientError(.storage, "cannot write the temporary file \(path)")
        }
        let environment = ProcessInfo.processInfo.environment
        let editor =
            [environment["EDITOR"], environment["VISUAL"]].compactMap { $0 }.first { !$0.isEmpty } ?? "vi"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        // The editor setting may carry arguments (`code --wait`): let the shell split it.
        process.arguments = ["-c", "\(editor) \"$1\"", "nkclient-editor", path]
        do {
            try process.run()
        } catch {
            throw ClientError(.invalidInput, "cannot start the editor '\(editor)': \(error)")
        }
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            try? FileManager.default.removeItem(atPath: path)
            throw ClientError(
                .invalidInput,
                "the editor '\(editor)' exited with status \(process.terminationStatus); nothing was changed")
        }
        return path
    }
}
