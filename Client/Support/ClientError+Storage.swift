import Foundation
import GRDB

extension ClientError {
    /// A storage error for a failure of `what`, in one line: a database error gives its SQLite
    /// code and message, never the statement it was running (whose SQL spans several lines).
    static func storage(_ what: String, _ error: any Error) -> ClientError {
        ClientError(.storage, "\(what): \(oneLine(error))")
    }

    /// An error's description fit for a one-line message: `SQLite error 10: disk I/O error`, the
    /// system's reason for a file that could not be read (`Input/output error`), else its text.
    static func oneLine(_ error: any Error) -> String {
        if let error = error as? DatabaseError {
            let message = (error.message ?? "unknown").split(whereSeparator: \.isNewline).joined(separator: " ")
            return "SQLite error \(error.resultCode.rawValue): \(message)"
        }
        if let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError,
            underlying.domain == NSPOSIXErrorDomain
        {
            return String(cString: strerror(Int32(underlying.code)))
        }
        return "\(error)".split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}
