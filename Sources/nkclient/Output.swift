import Foundation
import NKProtocol

/// Writing to stdout and stderr.
///
/// Every human-readable line goes out through ``line(_:)``, ``error(_:)``, ``warning(_:)`` or
/// ``notice(_:)``, which escape control characters (``TerminalText``): notes, titles, names and
/// server messages come from other people, and a terminal obeys what it is sent, on a pipe as much
/// as on a screen (`| less -R`, a log read later with `cat`). Fields printed inside a one-line
/// layout go through ``inline(_:)`` or ``clip(_:_:)`` first, so a newline in them cannot forge a
/// line of output either. Only text that escaped its fields itself and added its own colours
/// (``styled(_:)``) is written as it is. JSON (``json(_:)``) is exact: its encoder escapes control
/// characters its own way.
enum Output {
    /// Prints one JSON document (sorted keys) on stdout: exact JSON, with DEL and C1 characters
    /// written as `\u` escapes too (``TerminalText/terminalSafeJSON(_:)``).
    static func json<T: Encodable>(_ value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        let data = try encoder.encode(value)
        jsonText(String(decoding: data, as: UTF8.self))
    }

    /// Prints a JSON document already encoded, as ``json(_:)`` does.
    static func jsonText(_ json: String) {
        write(TerminalText.terminalSafeJSON(json) + (json.hasSuffix("\n") ? "" : "\n"), to: .standardOutput)
    }

    /// Prints `error: message` on stderr, on one line.
    static func error(_ message: String) {
        write("error: \(inline(message))\n", to: .standardError)
    }

    /// Prints `warning: message` on stderr, on one line.
    static func warning(_ message: String) {
        write("warning: \(inline(message))\n", to: .standardError)
    }

    /// Prints `text` and a newline on stdout, control characters but newline and tab escaped.
    static func line(_ text: String) {
        write(TerminalText.escaped(text) + "\n", to: .standardOutput)
    }

    /// Prints text that carries its own ANSI colours on stdout, as it is: its caller escaped every
    /// field in it (``PostRenderer``, ``SearchHit/displaySnippet(open:close:)``).
    static func styled(_ text: String) {
        write(text + "\n", to: .standardOutput)
    }

    /// Prints a line on stderr, without a prefix, on one line.
    static func notice(_ message: String) {
        write(inline(message) + "\n", to: .standardError)
    }

    /// True when stdout is a terminal.
    static var stdoutIsTerminal: Bool { isatty(STDOUT_FILENO) == 1 }

    /// `text` with every control character escaped, newline and tab too: for a field inside a line.
    static func inline(_ text: String) -> String {
        TerminalText.escaped(text, .singleLine)
    }

    /// `text` on one line (line breaks, LF or CRLF, become spaces) cut to `width` characters, with an
    /// ellipsis when cut, and its other control characters escaped (a lone CR shows as `\r`).
    static func clip(_ text: String, _ width: Int) -> String {
        let flat = text.split { $0 == "\n" || $0 == "\r\n" }.joined(separator: " ")
        let cut = flat.count <= width ? flat : String(flat.prefix(max(0, width - 1))) + "…"
        return inline(cut)
    }

    /// A version vector for people: `{18ad2c9e:6,server-66f53b81:1}`, each replica id cut to its
    /// first 8 characters (after `server-` for the server's), in canonical order. `--json` keeps
    /// the whole ids.
    static func vector(_ vector: VersionVector) -> String {
        let entries = vector.canonical.split(separator: ",").map { entry -> String in
            guard let colon = entry.lastIndex(of: ":") else { return String(entry) }
            var id = entry[..<colon]
            let prefix = id.hasPrefix("server-") ? "server-" : ""
            id = id.dropFirst(prefix.count)
            return prefix + id.prefix(8) + entry[colon...]
        }
        return inline("{" + entries.joined(separator: ",") + "}")
    }

    /// A local time to the minute, `2026-12-07 18:40`, as `log`, `history` and `trash` print it.
    static func minute(_ date: Date) -> String {
        minuteFormatter.string(from: date)
    }

    private static let minuteFormatter: DateFormatter = {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        return formatter
    }()

    /// `text` padded with spaces to `width` characters.
    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }

    /// Writes at once (unbuffered), so lines read while the command still runs are complete.
    private static func write(_ text: String, to handle: FileHandle) {
        handle.write(Data(text.utf8))
    }
}
