import NKProtocol

/// The lines `notes`, `read` and `rejected` print about a rejected change, every field from the
/// server or the note escaped and on one line (``TerminalText``).
public enum RejectedRemark {
    /// `rejected by the server (CODE): MESSAGE`, the user's rejected version when the entry shows
    /// the server's, then `fix: ...`.
    public static func lines(_ change: RejectedChange) -> [String] {
        var lines = ["rejected by the server (\(reason(change)))"]
        if change.serverHasRecord {
            if change.deleted {
                lines.append("your delete was rejected; the server keeps the note above")
            } else {
                lines.append(
                    "your rejected version: “\(TerminalText.oneLine(change.note ?? change.title ?? "", maxLength: 60))”"
                )
            }
        }
        lines.append("fix: " + change.fix)
        return lines
    }

    /// `CODE: MESSAGE`, the server's message cut to one line.
    public static func reason(_ change: RejectedChange) -> String {
        let code = TerminalText.oneLine(change.code.rawValue, maxLength: 64)
        return "\(code): \(TerminalText.oneLine(change.message, maxLength: ServerAPI.maxServerTextLength))"
    }
}
