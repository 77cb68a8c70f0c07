/// The JSON-LD shapes of the W3C Web Annotation Data Model that ``W3CExport`` writes. Encoded with sorted
/// keys, so `@context` comes first and the output is byte for byte deterministic.
enum W3CDocument {
    static let context = "http://www.w3.org/ns/anno.jsonld"

    /// An `AnnotationCollection` (model §5.1) with its only page embedded as `first`.
    struct Collection: Encodable {
        let context = W3CDocument.context
        var id: String
        let type = "AnnotationCollection"
        var label: String
        var total: Int
        var generated: String
        /// Absent when there are no annotations: a page must hold at least one.
        var first: Page?

        enum CodingKeys: String, CodingKey {
            case context = "@context"
            case id, type, label, total, generated, first
        }
    }

    /// An `AnnotationPage` (model §5.2), embedded in its collection, so without `@context`.
    struct Page: Encodable {
        var id: String
        let type = "AnnotationPage"
        var partOf: String
        var startIndex: Int
        var items: [Annotation]

        enum CodingKeys: String, CodingKey { case id, type, partOf, startIndex, items }
    }

    /// An `Annotation` (model §3.1) inside a page: it takes its `@context` from the collection.
    struct Annotation: Encodable {
        var id: String
        let type = "Annotation"
        var motivation: String
        var created: String
        var modified: String
        var creator: Agent?
        /// Absent when the annotation has neither a note nor tags (a highlight).
        var body: [TextualBody]?
        var target: Target
        /// Who may see the note (model §3.3.3, `schema:audience`).
        var audience: Audience
        /// For a version of an annotation in conflict: the annotation's own IRI (model §3.3.6), its
        /// vector (`schema:version`) and what it is (`schema:description`); absent otherwise.
        var canonical: String?
        var version: String?
        var description: String?

        enum CodingKeys: String, CodingKey {
            case id, type, motivation, created, modified, creator, body, target, audience, canonical
            case version = "schema:version"
            case description = "schema:description"
        }
    }

    /// An `Audience` (model §3.3.3, schema.org): `shared` (everyone on the server), `group` (one
    /// research group; `schema:name` names it) or `private` (the author only), in `schema:audienceType`.
    struct Audience: Encodable {
        var id: String
        let type = "schema:Audience"
        var audienceType: String
        var name: String

        enum CodingKeys: String, CodingKey {
            case id, type
            case audienceType = "schema:audienceType"
            case name = "schema:name"
        }
    }

    /// A `Person` (model §3.3.2).
    struct Agent: Encodable {
        var id: String
        let type = "Person"
        var name: String

        enum CodingKeys: String, CodingKey { case id, type, name }
    }

    /// A `TextualBody` (model §3.2.4): the note (`commenting`) or one tag (`tagging`).
    struct TextualBody: Encodable {
        let type = "TextualBody"
        var value: String
        var purpose: String
        var format: String?

        enum CodingKeys: String, CodingKey { case type, value, purpose, format }
    }

    /// A `SpecificResource` (model §4) of the post's text.
    ///
    /// A note on the whole post, and a reply, target a resource by its IRI alone (model §3.2.1: the
    /// post itself, or the annotation answered).
    enum Target: Encodable {
        case passage(source: String, selector: [Selector])
        case resource(String)

        enum CodingKeys: String, CodingKey { case type, source, selector }

        func encode(to encoder: any Encoder) throws {
            switch self {
            case .passage(let source, let selector):
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode("SpecificResource", forKey: .type)
                try container.encode(source, forKey: .source)
                try container.encode(selector, forKey: .selector)
            case .resource(let iri):
                var container = encoder.singleValueContainer()
                try container.encode(iri)
            }
        }
    }

    /// A `TextQuoteSelector` (§4.2.4) or a `TextPositionSelector` (§4.2.5).
    enum Selector: Encodable {
        case quote(exact: String, prefix: String, suffix: String)
        case position(start: Int, end: Int)

        enum CodingKeys: String, CodingKey { case type, exact, prefix, suffix, start, end }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            switch self {
            case .quote(let exact, let prefix, let suffix):
                try container.encode("TextQuoteSelector", forKey: .type)
                try container.encode(exact, forKey: .exact)
                try container.encode(prefix, forKey: .prefix)
                try container.encode(suffix, forKey: .suffix)
            case .position(let start, let end):
                try container.encode("TextPositionSelector", forKey: .type)
                try container.encode(start, forKey: .start)
                try container.encode(end, forKey: .end)
            }
        }
    }
}
