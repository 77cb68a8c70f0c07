/// One version of an annotation to export, and, when the annotation is in conflict, which of its
/// versions it is: an annotation in conflict is exported with every version, each marked.
public struct ExportedAnnotation: Hashable, Sendable {
    public var annotation: Annotation
    /// Nil unless the annotation has several versions.
    public var conflict: ConflictVersion?

    public init(_ annotation: Annotation, conflict: ConflictVersion? = nil) {
        self.annotation = annotation
        self.conflict = conflict
    }
}

/// Which version of an annotation in conflict this is, numbered as `nkclient conflicts` numbers them.
public struct ConflictVersion: Hashable, Sendable {
    /// From 0, in sibling order.
    public var index: Int
    /// How many versions the annotation has.
    public var count: Int
    /// The version's vector, in canonical text (`a:1,b:2`).
    public var version: String
    /// True when this version deletes the annotation.
    public var deleted: Bool

    public init(index: Int, count: Int, version: String, deleted: Bool) {
        self.index = index
        self.count = count
        self.version = version
        self.deleted = deleted
    }

    /// `in conflict: version 1 of 2 (a:1,b:2)`, saying when the version deletes the note.
    public var remark: String {
        "in conflict: version \(index + 1) of \(count) (\(version))" + (deleted ? ", which deletes the note" : "")
            + "; nkclient conflicts lists them, nkclient resolve settles them"
    }
}
