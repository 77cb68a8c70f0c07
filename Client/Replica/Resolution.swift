/// How `resolve` settles a conflict.
public enum Resolution: Hashable, Sendable {
    /// Keep sibling number `index` (0-based, in the order `conflicts` lists them).
    case pick(Int)
    /// Write a new note; `tags` nil takes the union of the siblings' tags.
    case write(note: String, tags: [String]?)
}
