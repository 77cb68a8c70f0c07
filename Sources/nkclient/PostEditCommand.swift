import ArgumentParser
import Foundation
import NKClient
import NKProtocol

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
            Output.line("post \(Output.inline(id)) is unchanged; nothing was written")
        case .updated:
            Output.line("post \(Output.inline(id)) corrected (pending; nkclient sync shares it)")
        }
    }

    private static func naming(_ error: ClientError, _ file: String) -> ClientError {
        guard error.code == .invalidInput else { return error }
        return ClientError(error.code, "\(file): \(error.message); nothing was changed")
    }

    /// Writes `text` to a temporary file, opens `$EDITOR` (else `$VISUAL`, else `vi`) on it, and
    /// returns the file's path once the editor exits successfully.
    static func edit(_ text: String, id: String) throws -> String {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("nkclient-post-\(id)-\(UUID().uuidString.prefix(8)).txt").path
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8)) else {
            throw ClientError(.storage, "cannot write the temporary file \(path)")
        }
        let environment = ProcessInfo.processInfo.environment
        let editor =
            [environment["EDITOR"], environment["VISUAL"]].compactMap { $0 }.first { !$0.isEmpty } ?? "vi"
        let status: Int32
        do {
            // The editor setting may carry arguments (`code --wait`): let the shell split it.
            status = try runInTerminal(["/bin/sh", "-c", "\(editor) \"$1\"", "nkclient-editor", path])
        } catch {
            throw ClientError(.invalidInput, "cannot start the editor '\(editor)': \(error)")
        }
        guard status == 0 else {
            try? FileManager.default.removeItem(atPath: path)
            throw ClientError(
                .invalidInput, "the editor '\(editor)' exited with status \(status); nothing was changed")
        }
        return path
    }
}

/// Runs `arguments` (`arguments[0]` an absolute path) on this terminal and waits for it; returns its
/// exit status, or 128 + the signal that ended it.
///
/// `posix_spawn` with nothing changed: the child shares our stdin, stdout, stderr and process group,
/// so a terminal editor is in the terminal's foreground group and may read it. Not Foundation's
/// `Process`, which starts the child in a process group of its own (a terminal editor reading the
/// terminal from a background group is stopped by SIGTTIN) and whose `run()` / `waitUntilExit()` give
/// the run loop a weak-reference side table that LeakSanitizer reports (RELIABILITY.md, section 9).
private func runInTerminal(_ arguments: [String]) throws -> Int32 {
    let argv = arguments.map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var pid: pid_t = 0
    let spawned = posix_spawn(&pid, arguments[0], nil, nil, argv, environ)
    guard spawned == 0 else { throw POSIXError(POSIXErrorCode(rawValue: spawned) ?? .EIO) }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 {
        guard errno == EINTR else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .ECHILD) }
    }
    // The <sys/wait.h> macros: the low 7 bits are the signal that ended it (0 for an exit).
    return status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
}
