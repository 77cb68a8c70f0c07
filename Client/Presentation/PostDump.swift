import NKProtocol

/// Writes one post in the blog-dump format that ``CorpusParser`` reads, so `nkclient post edit`
/// can hand it to an editor and parse it back.
enum PostDump {
    /// `Category: NAME`, the title, `Posted on DATE by AUTHOR`, the optional `[editor note]`, the
    /// paragraphs, and `[SOURCE]` or the link marker (`[continued]`, `[Full story]`), separated by blank lines, ending with a newline.
    ///
    /// A post without a source that does not continue elsewhere (which no dump produces) gets no
    /// closing line and does not parse back: the format cannot express it.
    public static func text(of post: Post) -> String {
        var blocks = ["Category: \(post.category)", post.title]
        var posted = "Posted on"
        if let date = post.date { posted += " \(date)" }
        posted += " by"
        if let author = post.author { posted += " \(author)" }
        blocks.append(posted)
        if let editorNote = post.editorNote { blocks.append("[\(editorNote)]") }
        blocks += post.body
        if post.continued {
            blocks.append("[\(post.linkText ?? "continued")]")
        } else if let source = post.source {
            blocks.append("[\(source)]")
        }
        return blocks.joined(separator: "\n\n") + "\n"
    }
}
