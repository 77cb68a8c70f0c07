import NKProtocol
import NKTestTraits
import Testing

@testable import NKClient

@Suite(.tags(.unit)) struct PostRendererTests {
    func detail(notes: [Annotation]) -> PostDetail {
        PostDetail(
            post: Fixtures.post,
            notes: notes.map { NoteEntry(annotation: $0, version: Fixtures.vector(["a": 1]), conflict: false) })
    }

    @Test func plainOutputMarksPassagesAndListsNotes() {
        let text = PostRenderer(width: 40, colour: false).render(
            detail(notes: [Fixtures.annotation(note: "Check it.", tags: ["t"])]))
        #expect(text.contains("[1>hard currency<1]"))
        #expect(text.contains("Check it.") && text.contains("[1] alice · shared · tags: t"))
        #expect(!text.contains("\u{1B}["))
        let bodyLines = text.split(separator: "\n").filter { !$0.contains("id: ") }
        let tooLong = bodyLines.filter { $0.count > 40 && $0.contains(" ") }
        #expect(tooLong.isEmpty, "\(tooLong)")
    }

    @Test func colourOutputUsesANSIEscapes() {
        let text = PostRenderer(colour: true).render(detail(notes: [Fixtures.annotation()]))
        #expect(text.contains("\u{1B}[4;33mhard currency"))
    }

    @Test func aQuoteThatMovedIsFoundNearItsOldPlace() {
        var annotation = Fixtures.annotation()
        annotation.anchor!.start += 3
        annotation.anchor!.end += 3
        let placed = Replica.place(annotation.anchor, in: (Fixtures.post, Fixtures.vector(["a": 2])))
        let entry = NoteEntry(
            annotation: annotation, version: Fixtures.vector(["a": 1]), conflict: false, placement: placed)
        #expect(entry.range == (annotation.anchor!.start - 3)..<(annotation.anchor!.end - 3))
        annotation.anchor!.exact = "nowhere in the text"
        let orphaned = Replica.place(annotation.anchor, in: (Fixtures.post, Fixtures.vector(["a": 2])))
        #expect(orphaned?.status == .orphaned)
        #expect(
            NoteEntry(annotation: annotation, version: Fixtures.vector(["a": 1]), conflict: false, placement: orphaned)
                .range == nil)
    }
}
