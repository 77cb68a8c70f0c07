/// Text from another person or from a server, made safe to print: every control character is
/// written as an escape, so a note, a name or an error message can never move the cursor, clear the
/// screen, set the window title or forge a line of output (ESC, CSI, OSC, BEL, a lone CR).
///
/// The scheme, one for every human-readable output of `nkclient` and `nkserver` (git quotes unusual
/// characters the same way): `\a \b \t \n \v \f \r` for those C0 characters, `\e` for ESC, and
/// `\xHH` (two lowercase hex digits, the code point) for every other C0 character, DEL (`\x7f`) and
/// the C1 characters U+0080 to U+009F (`\x9b`, the one-character CSI). A backslash is left as it
/// is: the escapes are for reading, not for parsing back. `--json` output is never escaped this
/// way; JSON has its own exact escapes.
public enum TerminalText {
    /// Which layout characters stay as they are.
    public enum Layout: Sendable {
        /// Newline and tab stay (note texts, post paragraphs, multi-line messages): they cannot
        /// overwrite anything already printed.
        case multiline
        /// Everything is escaped, newline and tab too: the text stays on the line it is printed on
        /// (titles, tags, names, server messages in a one-line report).
        case singleLine
    }

    /// `text` with its control characters escaped (see ``TerminalText``).
    public static func escaped(_ text: String, _ layout: Layout = .multiline) -> String {
        guard text.unicodeScalars.contains(where: { needsEscape($0, layout) }) else { return text }
        var result = ""
        result.unicodeScalars.reserveCapacity(text.unicodeScalars.count + 8)
        for scalar in text.unicodeScalars {
            if needsEscape(scalar, layout) {
                result += escape(scalar)
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// A message someone else wrote (a server's error message, code or rejection reason) as one
    /// line of at most `maxLength` characters: its first line, cut with an ellipsis when anything
    /// was left off, with every control character escaped.
    public static func oneLine(_ text: String, maxLength: Int = 300) -> String {
        let trimmed = text.drop { $0.isWhitespace }
        let end = trimmed.firstIndex(where: \.isNewline) ?? trimmed.endIndex
        let first = trimmed[..<end]
        var cut = trimmed[end...].contains { !$0.isWhitespace }
        var line = escaped(String(first.prefix(maxLength)), .singleLine)
        if first.count > maxLength || line.count > maxLength {
            line = String(line.prefix(maxLength))
            cut = true
        }
        return cut ? line + "…" : line
    }

    /// JSON text with DEL and the C1 characters written as `\u007f` … `\u009f`: JSON encoders leave
    /// them raw (only U+0000 to U+001F must be escaped), and a terminal may obey U+009B as CSI. They
    /// occur only inside strings, so the document stays exact JSON with the same values.
    public static func terminalSafeJSON(_ json: String) -> String {
        guard json.unicodeScalars.contains(where: { (0x7F...0x9F).contains($0.value) }) else { return json }
        var result = ""
        result.unicodeScalars.reserveCapacity(json.unicodeScalars.count + 16)
        for scalar in json.unicodeScalars {
            if (0x7F...0x9F).contains(scalar.value) {
                result += "\\u00" + String(scalar.value, radix: 16)
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// Whether `scalar` is a C0 control character, DEL or a C1 control character.
    public static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }

    private static func needsEscape(_ scalar: Unicode.Scalar, _ layout: Layout) -> Bool {
        guard isControl(scalar) else { return false }
        return layout == .singleLine || (scalar != "\n" && scalar != "\t")
    }

    private static func escape(_ scalar: Unicode.Scalar) -> String {
        switch scalar.value {
        case 0x07: return "\\a"
        case 0x08: return "\\b"
        case 0x09: return "\\t"
        case 0x0A: return "\\n"
        case 0x0B: return "\\v"
        case 0x0C: return "\\f"
        case 0x0D: return "\\r"
        case 0x1B: return "\\e"
        default:
            let hex = String(scalar.value, radix: 16)
            return "\\x" + (hex.count < 2 ? "0" + hex : hex)
        }
    }
}
