import Foundation
import NKProtocol
import NKTestTraits
import Testing

/// Text fields refuse control characters other than tab and newline (docs/DESIGN.md, *Limits*),
/// except where a pulled version is checked (``ValidationRules/pulled``).
@Suite("Control characters in text fields", .tags(.unit))
struct ControlCharacterValidationTests {
    static let annotation = WireTests.annotation
    static let post = Post(
        title: "Seafood ban", body: ["First paragraph.", "Second."], category: "Border Trade", source: "Wire")

    static func annotationVersion(_ change: (inout Annotation) -> Void) -> RecordVersion {
        var annotation = annotation
        change(&annotation)
        return RecordVersion(version: VersionVector([ReplicaID("r1"): 1]), body: .annotation(annotation))
    }

    static func postVersion(_ change: (inout Post) -> Void) -> RecordVersion {
        var post = post
        change(&post)
        return RecordVersion(version: VersionVector([ReplicaID("r1"): 1]), body: .post(post))
    }

    /// Each field with a control character, and the name the message must give it.
    static let cases: [(RecordVersion, String)] = [
        (annotationVersion { $0.note = "a\u{1B}[2Jb" }, "the note"),
        (annotationVersion { $0.note = "windows\r\nline" }, "the note"),
        (annotationVersion { $0.note = "bell\u{7}" }, "the note"),
        (annotationVersion { $0.note = "del\u{7F}" }, "the note"),
        (annotationVersion { $0.note = "csi\u{9B}31m" }, "the note"),
        (annotationVersion { $0.tags = ["a\u{1B}b"] }, "the tag"),
        (annotationVersion { $0.anchor!.exact = "hard\u{8}currency" }, "the quote"),
        (annotationVersion { $0.anchor!.prefix = "off\u{85}" }, "the quote prefix"),
        (annotationVersion { $0.anchor!.suffix = "\u{1B}]0;x\u{7}" }, "the quote suffix"),
        (annotationVersion { $0.author = "al\u{1B}ice" }, "the author"),
        (postVersion { $0.title = "Seafood\u{1B}[2J" }, "the title"),
        (postVersion { $0.category = "Border\u{C}Trade" }, "the category"),
        (postVersion { $0.body = ["ok", "carriage\rreturn"] }, "the body paragraph"),
        (postVersion { $0.source = "Wire\u{1B}" }, "the source"),
        (postVersion { $0.editorNote = "\u{9D}" }, "the editorNote"),
        (postVersion { $0.author = "J.\u{1}" }, "the author"),
        (postVersion { $0.date = "12\u{1B}" }, "the date"),
        (postVersion { $0.url = "http://x/\u{7F}" }, "the url"),
    ]

    @Test(arguments: cases)
    func aControlCharacterIsRefusedNamingTheField(_ version: RecordVersion, _ field: String) {
        #expect {
            try version.validate()
        } throws: { error in
            let failure = error as? ValidationFailure
            return failure?.code == .invalidRecord
                && failure?.message.hasPrefix("\(field) contains a control character (U+") == true
                && !(failure?.message.unicodeScalars.contains { TerminalText.isControl($0) } ?? true)
        }
    }

    @Test(arguments: cases)
    func aPulledVersionIsCheckedWithEveryOtherRule(_ version: RecordVersion, _ field: String) throws {
        try version.validate(.pulled)
        // Every other rule still applies to a pulled version.
        var tooLong = version
        if case .annotation(var annotation) = version.body {
            annotation.note = String(repeating: "n", count: Limits.maxNoteLength + 1)
            tooLong.body = .annotation(annotation)
        } else if case .post(var post) = version.body {
            post.title = String(repeating: "t", count: Limits.maxTitleLength + 1)
            tooLong.body = .post(post)
        }
        #expect(throws: ValidationFailure.self) { try tooLong.validate(.pulled) }
        let nul = Self.annotationVersion { $0.note = "a\u{0}b" }
        #expect(throws: ValidationFailure.self) { try nul.validate(.pulled) }
    }

    @Test func tabAndNewlineAreText() throws {
        try Self.annotationVersion { $0.note = "one\ttwo\nthree" }.validate()
        try Self.postVersion { $0.body = ["a\tb\nc"] }.validate()
    }
}
