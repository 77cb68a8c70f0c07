import ArgumentParser
import Foundation
import NKClient

/// Maps library errors to one `error: ...` line on stderr and an exit code.
enum ErrorReporting {
    /// Prints the error and exits with its code.
    static func report(_ error: ClientError) -> Never {
        Output.error(error.message)
        exit(exitCode(for: error.code))
    }

    /// Help and version requests print as usual; usage errors become one `error: ...` line.
    static func report(commandLineError error: any Error) -> Never {
        let code = NKClientCommand.exitCode(for: error)
        guard code != .success else { NKClientCommand.exit(withError: error) }
        let message = NKClientCommand.message(for: error).split(whereSeparator: \.isNewline).first.map(String.init)
        Output.error(message ?? "\(error)")
        exit(code.rawValue)
    }

    /// The exit code of each kind of failure (sysexits.h where one fits).
    static func exitCode(for code: ClientError.Code) -> Int32 {
        switch code {
        case .unreachable, .serverError, .untrustedServer: 69  // EX_UNAVAILABLE
        case .unauthorized, .forbidden: 77  // EX_NOPERM
        case .rateLimited: 75  // EX_TEMPFAIL
        case .badResponse: 76  // EX_PROTOCOL
        case .storage: 74  // EX_IOERR
        case .configuration, .insecureTransport: 78  // EX_CONFIG
        case .staleReplica: 65  // EX_DATAERR
        case .incompatibleServer: 76  // EX_PROTOCOL
        default: 1
        }
    }
}
