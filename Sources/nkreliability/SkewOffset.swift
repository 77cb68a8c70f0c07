import Foundation

/// libfaketime offsets (`-5h`, `+7h`, `+0`, `-90m`) as seconds, and the timestamps the binaries store.
enum SkewOffset {
    static func seconds(_ offset: String?) -> Int {
        guard var text = offset, !text.isEmpty else { return 0 }
        let unit: Int
        switch text.last {
        case "s": unit = 1
        case "m": unit = 60
        case "h": unit = 3600
        case "d": unit = 86400
        default: unit = 1
        }
        if text.last?.isLetter == true { text.removeLast() }
        return (Int(text.hasPrefix("+") ? String(text.dropFirst()) : text) ?? 0) * unit
    }

    /// `when` lies between `started` and `ended` moved by `offset` seconds, give or take 5 s.
    static func within(_ when: Date?, started: Date, ended: Date, offset: Int) -> Bool {
        guard let when else { return false }
        let shifted = when.addingTimeInterval(-Double(offset))
        return shifted >= started.addingTimeInterval(-5) && shifted <= ended.addingTimeInterval(5)
    }

    static func parseISO8601(_ text: String) -> Date? { ISO8601DateFormatter().date(from: text) }

    /// GRDB's stored dates: `2026-11-29 13:34:08.598`, UTC.
    static func parseStored(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = text.contains(".") ? "yyyy-MM-dd HH:mm:ss.SSS" : "yyyy-MM-dd HH:mm:ss"
        return formatter.date(from: text)
    }
}
