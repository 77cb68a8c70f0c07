import Foundation
import NKProtocol
import NKTestTraits
import Testing

@testable import NKClient

/// What the renderer and the search display make of hostile text when they add colours of their
/// own: the only escapes left are their own SGR colours.
@Suite(.tags(.unit)) struct HostileRenderingTests {
    /// Clear screen, set the window title, the C1 CSI, a carriage return, DEL.
    static let hostile = "\u{1B}[2J\u{1B}]0;owned\u{7}\u{9B}31m\rforged\u{7F}"

    /// `text` without the renderer's own colour escapes (`ESC [ digits;… m`).
    static func withoutOwnColours(_ text: String) -> String {
        text.replacingOccurrences(of: "\u{1B}\\[[0-9;]*m", with: "", options: .regularExpression)
    }

    static func rawControls(_ text: String) -> [Unicode.Scalar] {
        withoutOwnColours(text).unicodeScalars.filter { TerminalText.isControl($0) && $0 != "\n" }
    }

    @Test(arguments: [true, false]) func aHostilePostAndNoteAreRenderedEscaped(_ colour: Bool) {
        var post = Fixtures.post
        post.title += Self.hostile
        post.source = "Reuters" + Self.hostile
        post.author = Self.hostile
        post.date = Self.hostile
        post.editorNote = Self.hostile
        post.category += Self.hostile
        post.body[0] += Self.hostile
        var annotation = Fixtures.annotation(
            note: "line one\(Self.hostile)\nline two", tags: ["t" + Self.hostile], author: "alice" + Self.hostile)
        annotation.postId = post.id
        let detail = PostDetail(
            post: post,
            notes: [NoteEntry(annotation: annotation, version: Fixtures.vector(["a": 1]), conflict: true)])

        let text = PostRenderer(width: 60, colour: colour).render(detail)

        #expect(Self.rawControls(text).isEmpty, "\(text.debugDescription)")
        #expect(text.contains(#"\e[2J\e]0;owned\a\x9b31m\rforged\x7f"#))
        #expect(colour == text.contains("\u{1B}["))
    }

    @Test func aHostileSnippetKeepsOnlyTheHighlightEscapes() {
        let hit = SearchHit(
            kind: .note, id: "x", postId: PostID("p"), title: "t",
            snippet: "before\(Self.hostile) \(SearchHit.highlightStart)term\(SearchHit.highlightEnd)\nafter",
            rank: -1, author: "a", tags: [])
        let shown = hit.displaySnippet(open: "\u{1B}[1m", close: "\u{1B}[0m")
        #expect(Self.rawControls(shown).isEmpty, "\(shown.debugDescription)")
        #expect(shown.contains("\u{1B}[1mterm\u{1B}[0m after"))
        #expect(hit.displaySnippet(open: "[", close: "]").hasSuffix("[term] after"))
    }
}
