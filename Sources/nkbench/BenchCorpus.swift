import Foundation
import NKProtocol

/// The benchmark's synthetic corpus: posts in the blog-dump format, and annotations of about 300
/// bytes of JSON each (a note, two tags, a quote with its context), all deterministic.
struct BenchCorpus: Sendable {
    static let category = "Bench"
    static let passagesPerPost = 12

    let postCount: Int
    /// The post texts, by index, as the parser joins them (paragraphs separated by a blank line).
    let posts: [(id: PostID, text: String)]

    init(posts postCount: Int) {
        self.postCount = postCount
        posts = (0..<postCount).map { index in
            (
                PostID.derived(category: Self.category, title: Self.title(index)),
                Self.paragraphs(index).joined(separator: "\n\n")
            )
        }
    }

    static func title(_ post: Int) -> String { "Bench report \(post) on border trade" }

    /// The quote of passage `passage` of post `post`: unique in its post.
    static func quote(post: Int, passage: Int) -> String { "Passage \(post)-\(passage) says" }

    static func paragraphs(_ post: Int) -> [String] {
        stride(from: 0, to: passagesPerPost, by: 3).map { first in
            (first..<(first + 3)).map { passage in
                quote(post: post, passage: passage)
                    + " at the Dandong wholesale market saw prices of rice cookers and winter coats move again."
            }.joined(separator: " ")
        }
    }

    /// The corpus as one file of the blog-dump format.
    func dumpText() -> String {
        var text = "Category: \(Self.category)\n\n"
        for index in 0..<postCount {
            text += "\(Self.title(index))\n\nPosted on 12 March 2024 by Bench\n\n"
            text += Self.paragraphs(index).joined(separator: "\n\n")
            text += "\n\n[Bench Wire]\n\n"
        }
        return text
    }

    /// Writes the dump into `folder` and returns its path.
    func writeDump(in folder: URL) throws -> String {
        let path = folder.appendingPathComponent("corpus.txt").path
        try dumpText().write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Post index and passage of annotation number `index`.
    func placement(of index: Int) -> (post: Int, passage: Int) {
        (index % postCount, (index / postCount) % Self.passagesPerPost)
    }

    /// The note text of annotation `index`, version `edit` (0 for the first).
    static func note(_ index: Int, edit: Int = 0) -> String {
        let revision = edit == 0 ? "" : " (revised \(edit))"
        return "Note \(index)\(revision): prices match the customs reports."
    }

    static func tags(_ index: Int) -> [String] { ["trade", "week-\(index % 52)"] }

    /// A deterministic lowercase UUID for loaded annotation `index` of database `salt`.
    static func annotationID(salt: Int, index: Int) -> AnnotationID {
        let tail = String(index, radix: 16)
        let padded = String(repeating: "0", count: max(0, 12 - tail.count)) + tail
        let head = String(salt, radix: 16)
        return AnnotationID(String(repeating: "0", count: max(0, 8 - head.count)) + head + "-0000-4000-8000-" + padded)
    }

    /// Annotation `index` as its author would make it on its post.
    func annotation(id: AnnotationID, index: Int, author: String, note: String, date: Date) throws -> Annotation {
        let (post, passage) = placement(of: index)
        let anchor = try Anchor.locate(Self.quote(post: post, passage: passage), in: posts[post].text)
        return Annotation(
            id: id, postId: posts[post].id, anchor: anchor, note: note, tags: Self.tags(index), visibility: .shared,
            author: author, createdAt: date, updatedAt: date)
    }
}
