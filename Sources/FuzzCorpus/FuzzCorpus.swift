// libFuzzer target: the blog-dump importer (`Protocol/CorpusParser.swift`), as `nkserver import` and
// `nkclient import` use it: UTF-8 text → `CorpusParser.parse` → `Post.validate()` on every post.
//
// Checks, besides "no crash, no ASan report": a parse error names a line of the file; every parsed post
// belongs to the file's category, has an id derived from its category and title (unique in the file), a
// non-empty body without blank or multi-line paragraphs, and trimmed fields; a post survives the wire
// encoder and decoder; importing a post over its own version is `unchanged`; and the parsed file, written
// out again in the dump format, parses to the same file (the importer loses or invents nothing).
import Foundation
import NKProtocol

private func check(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError(message()) }
}

private func isTrimmed(_ text: String) -> Bool {
    guard let first = text.unicodeScalars.first, let last = text.unicodeScalars.last else { return true }
    return !first.properties.isWhitespace && !last.properties.isWhitespace
}

/// The file in the dump format, one blank line between blocks, as the format's description in
/// `CorpusParser` lays it out.
private func render(_ file: CorpusFile) -> String {
    var blocks = ["Category: \(file.category)"]
    for post in file.posts {
        blocks.append(post.title)
        blocks.append("Posted on \(post.date ?? "") by \(post.author ?? "")")
        if let note = post.editorNote { blocks.append("[\(note)]") }
        blocks += post.body
        blocks.append(post.continued ? "[\(post.linkText ?? "continued")]" : "[\(post.source ?? "")]")
    }
    return blocks.joined(separator: "\n\n") + "\n"
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    // The importers refuse a file that is not UTF-8.
    guard let text = String(data: Data(bytes: start, count: count), encoding: .utf8) else { return 0 }
    let file: CorpusFile
    do {
        file = try CorpusParser.parse(text)
    } catch {
        // Lines are counted on LF, as the parser splits them.
        let lines = text.utf8.count { $0 == UInt8(ascii: "\n") } + 1
        check(error.line >= 1 && error.line <= lines, "parse error at line \(error.line) of \(lines): \(error)")
        check(!error.message.isEmpty, "a parse error without a message")
        return 0
    }
    check(!file.posts.isEmpty, "a parsed file without posts")
    check(!file.category.isEmpty && isTrimmed(file.category), "category '\(file.category)' is empty or untrimmed")
    var ids = Set<PostID>()
    for post in file.posts {
        check(post.category == file.category, "post '\(post.title)' has another category")
        check(post.id == PostID.derived(category: post.category, title: post.title), "post id not derived")
        check(ids.insert(post.id).inserted, "two posts with id \(post.id) in one file")
        check(!post.title.isEmpty && isTrimmed(post.title), "title '\(post.title)' is empty or untrimmed")
        check(!post.body.isEmpty, "post '\(post.title)' has no body")
        for paragraph in post.body {
            check(!paragraph.isEmpty && isTrimmed(paragraph), "paragraph '\(paragraph)' is empty or untrimmed")
            check(!paragraph.unicodeScalars.contains("\n"), "paragraph '\(paragraph)' holds a line feed")
        }
        for field in [post.source, post.author, post.date].compactMap({ $0 }) {
            check(!field.isEmpty && isTrimmed(field), "field '\(field)' of '\(post.title)' is empty or untrimmed")
        }
        check(isTrimmed(post.editorNote ?? ""), "the editor's note of '\(post.title)' is untrimmed")
        check(!(post.continued && post.source != nil), "post '\(post.title)' is continued and has a source")
        // What the importers do next; a refusal is an `invalid_post`, not a crash.
        _ = try? post.validate()
        do {
            let data = try Wire.makeEncoder().encode(post)
            let decoded = try Wire.makeDecoder().decode(Post.self, from: data)
            check(decoded == post, "post '\(post.title)' changes in an encode-decode round trip")
        } catch {
            fatalError("post '\(post.title)' does not survive an encode-decode round trip: \(error)")
        }
        let held = RecordVersion(version: VersionVector([ReplicaID("server"): 1]), body: .post(post))
        let plan = post.importPlan(held: [held], base: held, by: ReplicaID("server")) { _ in true }
        check(plan.outcome == .unchanged && plan.writes.isEmpty, "importing '\(post.title)' again is not unchanged")
    }
    return 0
}
