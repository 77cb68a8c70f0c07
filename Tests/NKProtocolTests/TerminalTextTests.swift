import Foundation
import NKProtocol
import NKTestTraits
import Testing

@Suite("Escaping text for a terminal", .tags(.unit))
struct TerminalTextTests {
    @Test(arguments: [
        ("plain text, “quoted”, ünïcode", "plain text, “quoted”, ünïcode"),
        ("\u{1B}[2J", #"\e[2J"#),
        ("\u{1B}]0;title\u{7}", #"\e]0;title\a"#),
        ("a\rb", #"a\rb"#),
        ("\u{8}\u{B}\u{C}", #"\b\v\f"#),
        ("\u{0}\u{1}\u{1F}", #"\x00\x01\x1f"#),
        ("\u{7F}", #"\x7f"#),
        ("\u{9B}31m\u{80}\u{9F}", #"\x9b31m\x80\x9f"#),
        ("line\nnext\tcell", "line\nnext\tcell"),
        ("back\\slash", "back\\slash"),
    ])
    func multilineKeepsNewlineAndTab(_ input: String, _ expected: String) {
        #expect(TerminalText.escaped(input) == expected)
    }

    @Test func singleLineEscapesNewlineAndTab() {
        #expect(TerminalText.escaped("a\nb\tc\r\n", .singleLine) == #"a\nb\tc\r\n"#)
    }

    @Test func oneLineKeepsTheFirstLineAndMarksWhatWasLeftOff() {
        #expect(TerminalText.oneLine("fine") == "fine")
        #expect(TerminalText.oneLine("  first\nsecond") == "first…")
        #expect(TerminalText.oneLine("first\n\n  \n") == "first")
        #expect(TerminalText.oneLine("a\u{1B}[2Jb\rc") == #"a\e[2Jb…"#)
        let long = TerminalText.oneLine(String(repeating: "y", count: 2_000_000), maxLength: 300)
        #expect(long == String(repeating: "y", count: 300) + "…")
        let escapes = TerminalText.oneLine(String(repeating: "\u{1B}", count: 400), maxLength: 300)
        #expect(escapes.count == 301)
        #expect(!escapes.unicodeScalars.contains { TerminalText.isControl($0) })
    }
}

@Suite("JSON for a terminal", .tags(.unit))
struct TerminalSafeJSONTests {
    @Test func delAndC1AreWrittenAsJSONEscapesAndDecodeToTheSameText() throws {
        let text = "a\u{7F}b\u{9B}31m\u{80}c\u{1B}"
        let json = String(decoding: try JSONEncoder().encode([text]), as: UTF8.self)
        let safe = TerminalText.terminalSafeJSON(json)
        #expect(!safe.unicodeScalars.contains { TerminalText.isControl($0) })
        #expect(safe.contains(#"\u009b"#))
        #expect(try JSONDecoder().decode([String].self, from: Data(safe.utf8)) == [text])
    }
}
