import Foundation

/// Exports annotations as a W3C Web Annotation `AnnotationCollection`, in the JSON-LD serialisation of the
/// Web Annotation Data Model (W3C Recommendation, 23 February 2017).
///
/// Each annotation becomes an `Annotation` with id `urn:uuid:<id>`, a `creator` `Person`, `created` and
/// `modified` (xsd:dateTime in UTC), the note as a `TextualBody` with purpose `commenting` (left out when
/// blank) and each tag as a `TextualBody` with purpose `tagging`. Its motivation is `commenting` when it
/// has a note, else `tagging` when it has tags, else `highlighting`; a reply's is `replying`. The target of
/// a note on a passage is a `SpecificResource` of the post's text (`urn:nksync:post:<id>`, or
/// `<baseURL>/posts/<id>`) with a `TextQuoteSelector` and a `TextPositionSelector` (offsets in Unicode
/// code points of ``Post/text``, as both the model and ``Anchor`` count them); a note on the whole post
/// targets the post's IRI, a reply the IRI of the annotation it answers. Its `audience` (model §3.3.3, a `schema:Audience`) says who may see it:
/// `schema:audienceType` `shared`, `group` (with the group in `schema:name`) or `private`. Each version of
/// an annotation in conflict is exported: `id` `urn:uuid:<id>#version-<N>` (N as `nkclient conflicts`
/// numbers them), `canonical` the annotation's own IRI, `schema:version` its vector and
/// `schema:description` saying it is one version in conflict. Terms outside the annotation vocabulary are
/// schema.org's, through the `schema:` prefix that http://www.w3.org/ns/anno.jsonld defines.
///
/// The output is deterministic: sorted keys, annotations ordered by post id, then start offset (notes on
/// the whole post and replies first), then id.
public enum W3CExport {
    /// The media type of the output, from the Web Annotation Protocol.
    public static let mediaType = "application/ld+json;profile=\"http://www.w3.org/ns/anno.jsonld\""

    /// The annotations as one `AnnotationCollection` with a single embedded `AnnotationPage`, as UTF-8 JSON.
    ///
    /// - Parameters:
    ///   - annotations: what to export, in any order. The caller chooses which (for example only shared
    ///     ones); pass anchors already re-anchored (``Anchor/reanchored(in:)``) when posts were corrected.
    ///   - posts: the posts known here. When an annotation's post is known and its offsets no longer select
    ///     the quote in the post's text, the `TextPositionSelector` is left out, so that the two selectors
    ///     never select different passages; the quote still identifies it. Annotations of unknown posts
    ///     are exported with both selectors.
    ///   - baseURL: where posts are published (`https://example.org/nk` gives `.../posts/<id>`); nil for
    ///     `urn:nksync:` IRIs.
    ///   - generated: when the export was made: the collection's `generated`, also part of its id.
    /// - Throws: ``W3CExportError`` when `baseURL` is not absolute or an annotation id occurs twice.
    public static func collection(
        annotations: [Annotation], posts: [PostID: Post], baseURL: String?, generated: Date
    ) throws(W3CExportError) -> Data {
        try collection(
            exported: annotations.map { ExportedAnnotation($0) }, posts: posts, baseURL: baseURL, generated: generated)
    }

    /// The annotations as one `AnnotationCollection`, an annotation in conflict with every version given
    /// (each with its ``ConflictVersion``); see ``collection(annotations:posts:baseURL:generated:)``.
    public static func collection(
        exported: [ExportedAnnotation], posts: [PostID: Post], baseURL: String?, generated: Date
    ) throws(W3CExportError) -> Data {
        let base = try baseURL.map { url throws(W3CExportError) in try normalisedBase(url) }
        var seen = Set<String>()
        for entry in exported where !seen.insert(itemIRI(entry)).inserted {
            throw .duplicateAnnotation(entry.annotation.id)
        }
        let sorted = exported.sorted {
            let (lhs, rhs) = ($0.annotation, $1.annotation)
            if lhs.postId != rhs.postId { return lhs.postId < rhs.postId }
            let (lhsStart, rhsStart) = (lhs.anchor?.start ?? -1, rhs.anchor?.start ?? -1)
            if lhsStart != rhsStart { return lhsStart < rhsStart }
            if lhs.id != rhs.id { return lhs.id < rhs.id }
            return ($0.conflict?.index ?? 0) < ($1.conflict?.index ?? 0)
        }
        let generatedText = timestamp(generated)
        let digest = fnv1a(sorted.map(itemIRI).sorted().joined(separator: "\n") + "\n" + generatedText)
        let collectionID = base.map { "\($0)/exports/\(digest)" } ?? "urn:nksync:export:\(digest)"
        var texts: [PostID: [Unicode.Scalar]] = [:]
        var items: [W3CDocument.Annotation] = []
        for entry in sorted {
            let annotation = entry.annotation
            var positionHolds = false
            if let anchor = annotation.anchor {
                positionHolds = anchor.start >= 0 && anchor.end >= anchor.start
                if positionHolds, let post = posts[annotation.postId] {
                    let text = texts[annotation.postId] ?? Array(post.text.unicodeScalars)
                    texts[annotation.postId] = text
                    positionHolds =
                        anchor.end <= text.count
                        && text[anchor.start..<anchor.end].elementsEqual(anchor.exact.unicodeScalars)
                }
            }
            items.append(item(entry, base: base, includePosition: positionHolds))
        }
        let postCount = Set(sorted.map(\.annotation.postId)).count
        let document = W3CDocument.Collection(
            id: collectionID,
            label: "NK Sync annotations: \(items.count) on \(postCount) post\(postCount == 1 ? "" : "s")",
            total: items.count,
            generated: generatedText,
            first: items.isEmpty
                ? nil
                : W3CDocument.Page(id: "\(collectionID)/page/1", partOf: collectionID, startIndex: 0, items: items)
        )
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        do {
            return try encoder.encode(document)
        } catch {
            throw .encodingFailed(String(describing: error))
        }
    }

    private static func item(_ entry: ExportedAnnotation, base: String?, includePosition: Bool)
        -> W3CDocument.Annotation
    {
        let annotation = entry.annotation
        var bodies: [W3CDocument.TextualBody] = []
        let hasNote = !annotation.note.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
        if hasNote {
            bodies.append(.init(value: annotation.note, purpose: "commenting", format: "text/plain"))
        }
        for tag in annotation.tags {
            bodies.append(.init(value: tag, purpose: "tagging", format: nil))
        }
        let postIRI =
            base.map { "\($0)/posts/\(percentEncoded(annotation.postId.rawValue))" }
            ?? "urn:nksync:post:\(percentEncoded(annotation.postId.rawValue))"
        let target: W3CDocument.Target
        switch annotation.target {
        case .passage(let anchor):
            var selectors: [W3CDocument.Selector] = [
                .quote(exact: anchor.exact, prefix: anchor.prefix, suffix: anchor.suffix)
            ]
            if includePosition { selectors.append(.position(start: anchor.start, end: anchor.end)) }
            target = .passage(source: postIRI, selector: selectors)
        case .post:
            target = .resource(postIRI)
        case .reply(let parent):
            target = .resource(annotationIRI(parent))
        }
        var motivation = hasNote ? "commenting" : (annotation.tags.isEmpty ? "highlighting" : "tagging")
        if annotation.replyTo != nil { motivation = "replying" }
        let author = annotation.author
        return W3CDocument.Annotation(
            id: itemIRI(entry),
            motivation: motivation,
            created: timestamp(annotation.createdAt),
            modified: timestamp(annotation.updatedAt),
            creator: author.isEmpty
                ? nil
                : W3CDocument.Agent(
                    id: base.map { "\($0)/users/\(percentEncoded(author))" }
                        ?? "urn:nksync:user:\(percentEncoded(author))",
                    name: author),
            body: bodies.isEmpty ? nil : bodies,
            target: target,
            audience: audience(annotation, base: base),
            canonical: entry.conflict.map { _ in annotationIRI(annotation.id) },
            version: entry.conflict?.version,
            description: entry.conflict?.remark
        )
    }

    /// The annotation's IRI, and for a version of one in conflict that IRI with `#version-N`.
    private static func itemIRI(_ entry: ExportedAnnotation) -> String {
        let iri = annotationIRI(entry.annotation.id)
        return entry.conflict.map { "\(iri)#version-\($0.index)" } ?? iri
    }

    /// Who may see the note, as an `Audience` with an IRI of its own (a private note's names its author).
    private static func audience(_ annotation: Annotation, base: String?) -> W3CDocument.Audience {
        let (kind, name): (String, String) =
            switch annotation.visibility {
            case .shared: ("shared", "shared")
            case .private: ("private", annotation.author)
            case .group(let group): ("group", group)
            }
        let path = kind == name ? kind : "\(kind)/\(percentEncoded(name))"
        let id =
            base.map { "\($0)/audiences/\(path)" }
            ?? "urn:nksync:audience:\(path.replacingOccurrences(of: "/", with: ":"))"
        return W3CDocument.Audience(id: id, audienceType: kind, name: annotation.visibility.label)
    }

    /// `urn:uuid:` for a UUID id (every id the clients make); a `urn:nksync:annotation:` IRI otherwise.
    private static func annotationIRI(_ id: AnnotationID) -> String {
        if let uuid = UUID(uuidString: id.rawValue) { return "urn:uuid:\(uuid.uuidString.lowercased())" }
        return "urn:nksync:annotation:\(percentEncoded(id.rawValue))"
    }

    /// xsd:dateTime in UTC with a `Z`, to the second.
    private static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle())
    }

    /// The base without trailing slashes, if it is an absolute IRI without spaces or characters that
    /// IRIs exclude.
    private static func normalisedBase(_ url: String) throws(W3CExportError) -> String {
        var base = url.trimmingCharacters(in: .whitespaces)
        while base.hasSuffix("/") { base.removeLast() }
        let scalars = Array(base.unicodeScalars)
        func isLetter(_ scalar: Unicode.Scalar) -> Bool {
            (0x41...0x5A).contains(scalar.value) || (0x61...0x7A).contains(scalar.value)
        }
        func isSchemeScalar(_ scalar: Unicode.Scalar) -> Bool {
            isLetter(scalar) || (0x30...0x39).contains(scalar.value) || "+-.".unicodeScalars.contains(scalar)
        }
        func isExcluded(_ scalar: Unicode.Scalar) -> Bool {
            scalar.properties.isWhitespace || scalar.value < 0x20 || scalar.value == 0x7F
                || "<>\"{}|\\^`".unicodeScalars.contains(scalar)
        }
        guard let colon = scalars.firstIndex(of: ":"), colon > 0, colon + 1 < scalars.count,
            isLetter(scalars[0]), scalars[..<colon].allSatisfy(isSchemeScalar),
            !scalars.contains(where: isExcluded)
        else { throw .invalidBaseURL(url) }
        return base
    }

    /// Percent-encodes everything but ASCII letters, digits and `-._~`, so the text fits any IRI segment.
    static func percentEncoded(_ text: String) -> String {
        var result = ""
        for byte in text.utf8 {
            switch byte {
            case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0x2D, 0x2E, 0x5F, 0x7E:
                result.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                result += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return result
    }

    /// 16 hex digits of the 64-bit FNV-1a hash of `text`'s UTF-8.
    private static func fnv1a(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
