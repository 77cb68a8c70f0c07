import ArgumentParser
import Foundation
import NKProtocol
import NKServer

/// The one place that turns errors into a line on stderr and an exit code (sysexits.h values).
enum Failure {
    static let usage: Int32 = 64  // EX_USAGE: bad arguments
    static let dataError: Int32 = 65  // EX_DATAERR: bad input (file, user name, duplicate user)
    static let noInput: Int32 = 66  // EX_NOINPUT: a file or the database is missing or unreadable
    static let noUser: Int32 = 67  // EX_NOUSER: unknown user
    static let unavailable: Int32 = 69  // EX_UNAVAILABLE: the server could not listen
    static let software: Int32 = 70  // EX_SOFTWARE: internal error
    static let cannotCreate: Int32 = 73  // EX_CANTCREAT: a backup or restore would replace a file or data
    static let ioError: Int32 = 74  // EX_IOERR: the database failed

    /// Prints `error: MESSAGE` (or the help text, for `--help`) and exits.
    static func exit(with error: any Error) -> Never {
        let (message, status) = describe(error)
        if status == 0 {
            // --help, --version: ArgumentParser's clean exits.
            FileHandle.standardOutput.write(Data((message + "\n").utf8))
        } else if !message.isEmpty {
            FileHandle.standardError.write(Data(("error: " + oneLine(message) + "\n").utf8))
        }
        Foundation.exit(status)
    }

    static func describe(_ error: any Error) -> (message: String, status: Int32) {
        switch error {
        case let error as ServerError:
            return (error.message, status(for: error.code))
        case let error as CommandLineError:
            return (error.message, error.status)
        default:
            let code = NKServerCommand.exitCode(for: error)
            if code == .success {
                return (NKServerCommand.fullMessage(for: error), 0)
            }
            let message = NKServerCommand.message(for: error)
            if code == .validationFailure {
                return (message + " (see 'nkserver help')", usage)
            }
            return (message.isEmpty ? "failed: \(type(of: error))" : message, code.rawValue)
        }
    }

    static func status(for code: ServerError.Code) -> Int32 {
        switch code {
        case .invalidUserName, .userExists, .invalidCorpus, .invalidPost, .invalidGroupName, .groupExists,
            .alreadyMember, .notMember, .unknownGroup, .invalidTLS, .invalidBackup:
            dataError
        case .destinationExists: cannotCreate
        case .unknownUser: noUser
        case .unreadableFile: noInput
        case .database: ioError
        default: software
        }
    }

    /// Joins the lines of a multi-line message, so every error is one line, and escapes its control
    /// characters: a message may quote a corpus file's title or a name given on the command line.
    static func oneLine(_ message: String) -> String {
        let joined = message.split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
            .joined(separator: "; ")
        return TerminalText.escaped(joined, .singleLine)
    }
}
