import Foundation
import NKProtocol
import NKTestSupport
import NKTestTraits
import Testing

/// The MUSTs of the W3C Web Annotation Data Model (Recommendation of 2017-02-23) that apply to what
/// ``W3CExport`` writes, checked on a parsed document. Returns one line per violation, naming the section.
///
/// `texts` maps a target's `source` IRI to the text its selectors count in, to check that positions count
/// Unicode code points and select the quoted text.
func w3cViolations(_ root: Any, texts: [String: String] = [:]) -> [String] {
    var violations: [String] = []
    func fail(_ message: String) { violations.append(message) }
    guard let collection = root as? [String: Any] else { return ["the document is not a JSON object"] }

    // §5.1 Annotation Collection.
    checkContext(collection["@context"], of: "collection", fail)
    checkSingleIRI(collection["id"], "§5.1 the collection MUST have exactly 1 IRI id", fail)
    checkType(collection["type"], includes: "AnnotationCollection", "§5.1", fail)
    if let label = collection["label"], !(label is String) { fail("§5.1 the label MUST be a string") }
    if let total = collection["total"], !isNonNegativeInteger(total) {
        fail("§5.1 total MUST be an xsd:nonNegativeInteger")
    }
    let total = (collection["total"] as? NSNumber)?.intValue ?? 0
    guard let first = collection["first"] else {
        if total > 0 { fail("§5.1 a collection with annotations MUST have exactly 1 first page") }
        return violations
    }
    guard let page = first as? [String: Any] else {
        if !(first is String) { fail("§5.1 first MUST be one page, embedded or as an IRI") }
        return violations
    }

    // §5.2 Annotation Page (embedded).
    if let context = page["@context"] { checkContext(context, of: "page", fail) }
    checkSingleIRI(page["id"], "§5.2 the page MUST have exactly 1 IRI id", fail)
    checkType(page["type"], includes: "AnnotationPage", "§5.2", fail)
    if let startIndex = page["startIndex"], !isNonNegativeInteger(startIndex) {
        fail("§5.2 startIndex MUST be exactly 1 xsd:nonNegativeInteger")
    }
    guard let items = page["items"] as? [Any], !items.isEmpty else {
        fail("§5.2 the page MUST have an array of 1 or more annotations as items")
        return violations
    }
    let startIndex = (page["startIndex"] as? NSNumber)?.intValue ?? 0
    if startIndex + items.count < total, page["next"] == nil {
        fail("§5.2 a page that is not the last MUST have a next page")
    }

    // §3 Annotations.
    for (index, item) in items.enumerated() {
        let here = "item \(index):"
        guard let annotation = item as? [String: Any] else {
            fail("\(here) §3.1 an annotation is not an object")
            continue
        }
        if let context = annotation["@context"] { checkContext(context, of: "annotation", fail) }
        checkSingleIRI(annotation["id"], "\(here) §3.1 an annotation MUST have exactly 1 IRI id", fail)
        checkType(annotation["type"], includes: "Annotation", "\(here) §3.1", fail)
        if annotation["body"] != nil, annotation["bodyValue"] != nil {
            fail("\(here) §3.2.5 body and bodyValue MUST NOT both be present")
        }
        for key in ["created", "modified", "generated"] {
            guard let value = annotation[key] else { continue }
            guard let text = value as? String else {
                fail("\(here) §3.3.1 \(key) MUST NOT have more than 1 value")
                continue
            }
            if !isUTCDateTime(text) { fail("\(here) §3.3.1 \(key) MUST be an xsd:dateTime in UTC with Z") }
        }
        if let creator = annotation["creator"] as? [String: Any], let id = creator["id"], !(id is String) {
            fail("\(here) §3.3.2 an agent MUST NOT have more than 1 IRI")
        }
        for body in values(annotation["body"]) {
            guard let body = body as? [String: Any], types(body["type"]).contains("TextualBody") else { continue }
            if !(body["value"] is String) { fail("\(here) §3.2.4 a TextualBody MUST have exactly 1 value") }
        }
        let targets = values(annotation["target"])
        if targets.isEmpty { fail("\(here) §3.1 an annotation MUST have 1 or more targets") }
        for target in targets {
            guard let resource = target as? [String: Any] else {
                if !(target is String) { fail("\(here) §3.2.1 a target is neither an IRI nor an object") }
                continue
            }
            let source = resource["source"]
            let sourceIRI = (source as? String) ?? ((source as? [String: Any])?["id"] as? String)
            if sourceIRI.map(isIRI) != true { fail("\(here) §4 a SpecificResource MUST have exactly 1 source") }
            var quote: String?
            var position: (start: Int, end: Int)?
            for selector in values(resource["selector"]) {
                guard let selector = selector as? [String: Any] else { continue }
                let type = selector["type"]
                switch types(type) {
                case ["TextQuoteSelector"]:
                    guard let exact = selector["exact"] as? String else {
                        fail("\(here) §4.2.4 a TextQuoteSelector MUST have exactly 1 exact")
                        continue
                    }
                    quote = exact
                    for key in ["prefix", "suffix"] where selector[key] != nil && !(selector[key] is String) {
                        fail("\(here) §4.2.4 \(key) MUST NOT have more than 1 value")
                    }
                case ["TextPositionSelector"]:
                    guard let start = selector["start"], let end = selector["end"], isNonNegativeInteger(start),
                        isNonNegativeInteger(end)
                    else {
                        fail("\(here) §4.2.5 start and end MUST each be exactly 1 non-negative integer")
                        continue
                    }
                    position = ((start as? NSNumber)?.intValue ?? 0, (end as? NSNumber)?.intValue ?? 0)
                default:
                    if types(type).count != 1 { fail("\(here) §4.2 a selector MUST have exactly 1 type") }
                }
            }
            if let position, position.start > position.end {
                fail("\(here) §4.2.5 start is after end: the positions select no text")
            }
            if let position, position.start <= position.end, let quote, let sourceIRI, let text = texts[sourceIRI] {
                let scalars = Array(text.unicodeScalars)
                if position.end > scalars.count
                    || String(String.UnicodeScalarView(scalars[position.start..<position.end])) != quote
                {
                    fail("\(here) §4.2.4/§4.2.5 positions MUST count code points and select the quoted text")
                }
            }
        }
        let motivations = values(annotation["motivation"]).compactMap { $0 as? String }
        if !motivations.allSatisfy(knownMotivations.contains) {
            fail("\(here) §3.3.5 a motivation is not one of the vocabulary's instances")
        }
    }
    return violations
}

private let knownMotivations: Set<String> = [
    "assessing", "bookmarking", "classifying", "commenting", "describing", "editing", "highlighting",
    "identifying", "linking", "moderating", "questioning", "replying", "tagging",
]

/// §3.1/§5.1: 1 or more @context values, the anno.jsonld context among them, a single one as a string.
private func checkContext(_ value: Any?, of what: String, _ fail: (String) -> Void) {
    switch value {
    case let single as String:
        if single != "http://www.w3.org/ns/anno.jsonld" {
            fail("§3.1 the \(what)'s @context MUST include http://www.w3.org/ns/anno.jsonld")
        }
    case let many as [Any]:
        if many.count == 1 { fail("§3.1 a single @context MUST be given as a string") }
        if !many.contains(where: { $0 as? String == "http://www.w3.org/ns/anno.jsonld" }) {
            fail("§3.1 the \(what)'s @context MUST include http://www.w3.org/ns/anno.jsonld")
        }
    default:
        fail("§3.1 the \(what) MUST have 1 or more @context values")
    }
}

private func checkSingleIRI(_ value: Any?, _ message: String, _ fail: (String) -> Void) {
    guard let text = value as? String, isIRI(text) else { return fail(message) }
}

private func checkType(_ value: Any?, includes expected: String, _ section: String, _ fail: (String) -> Void) {
    if !types(value).contains(expected) { fail("\(section) the type MUST include \(expected)") }
}

/// A JSON value as the list of its values (a single value, or the members of an array).
private func values(_ value: Any?) -> [Any] {
    switch value {
    case nil: []
    case let array as [Any]: array
    case let single?: [single]
    }
}

private func types(_ value: Any?) -> [String] { values(value).compactMap { $0 as? String } }

/// An absolute IRI (RFC 3987): a scheme, a colon, something after it, and no characters IRIs exclude.
func isIRI(_ text: String) -> Bool {
    guard let colon = text.firstIndex(of: ":"), colon != text.startIndex, text.index(after: colon) != text.endIndex
    else { return false }
    let scheme = text[..<colon].unicodeScalars
    func isLetter(_ scalar: Unicode.Scalar) -> Bool { scalar.isASCII && scalar.properties.isAlphabetic }
    guard let first = scheme.first, isLetter(first),
        scheme.allSatisfy({ isLetter($0) || "0123456789+-.".unicodeScalars.contains($0) })
    else { return false }
    return !text.unicodeScalars.contains {
        $0.properties.isWhitespace || $0.value < 0x20 || "<>\"{}|\\^`".unicodeScalars.contains($0)
    }
}

/// A JSON integer ≥ 0 (not a boolean, not a fraction).
private func isNonNegativeInteger(_ value: Any) -> Bool {
    guard let number = value as? NSNumber else { return false }
    let kind = String(cString: number.objCType)
    return ["i", "q", "l", "s", "I", "Q", "L", "S"].contains(kind) && number.int64Value >= 0
}

/// xsd:dateTime with the UTC timezone expressed as "Z".
private func isUTCDateTime(_ text: String) -> Bool {
    let pattern = #/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z/#
    return text.wholeMatch(of: pattern) != nil
}

@Suite(.tags(.unit)) struct W3CExportTests {
    static let generated = Date(timeIntervalSince1970: 1_714_600_000)

    /// The sample corpus's first post, a post with characters beyond the Basic Multilingual Plane (so
    /// UTF-16 offsets would differ), and annotations covering every shape of the export.
    struct Fixture {
        var dandong: Post
        var seoul: Post
        var annotations: [Annotation]
        var posts: [PostID: Post] { [dandong.id: dandong, seoul.id: seoul] }

        init() throws {
            let corpus = try String(contentsOf: TestPaths.sampleCorpus[0], encoding: .utf8)
            dandong = try #require(try CorpusParser.parse(corpus).posts.first)
            seoul = Post(
                title: "Seoul reacts 🇰🇷", body: ["Crowds cheered 🎉🎉 as the “deal” was read out.", "No one left."],
                category: "Diplomacy")
            func make(
                _ id: String, _ post: Post, _ quote: String, note: String = "", tags: [String] = [],
                author: String = "alice", occurrence: Int? = nil
            ) throws -> Annotation {
                Annotation(
                    id: AnnotationID(id), postId: post.id,
                    anchor: try Anchor.locate(quote, in: post.text, occurrence: occurrence), note: note, tags: tags,
                    visibility: .shared, author: author,
                    createdAt: Date(timeIntervalSince1970: 1_714_500_000),
                    updatedAt: Date(timeIntervalSince1970: 1_714_550_000.75))
            }
            annotations = [
                try make(
                    "6f1c2d4e-0000-4000-8000-000000000003", dandong, "Now we bring blankets.",
                    note: "Drivers expect\nlong waits.", tags: ["sanctions", "trade"]),
                try make("6f1c2d4e-0000-4000-8000-000000000001", dandong, "Friendship Bridge", author: "Lee Min-ji"),
                try make(
                    "6f1c2d4e-0000-4000-8000-000000000002", dandong, "payment now arrives late", note: "   ",
                    tags: ["payments"], author: ""),
                try make("6f1c2d4e-0000-4000-8000-000000000004", seoul, "“deal”", note: "Quoted in Korean media."),
            ]
        }
    }

    private func export(
        _ annotations: [Annotation], posts: [PostID: Post], baseURL: String? = nil
    ) throws -> (data: Data, root: [String: Any]) {
        let data = try W3CExport.collection(
            annotations: annotations, posts: posts, baseURL: baseURL, generated: Self.generated)
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        return (data, root)
    }

    private func items(_ root: [String: Any]) throws -> [[String: Any]] {
        let page = try #require(root["first"] as? [String: Any])
        return try #require(page["items"] as? [[String: Any]])
    }

    @Test func everyApplicableMustHoldsOnRealOutput() throws {
        let fixture = try Fixture()
        for baseURL in [nil, "https://example.org/nk/"] {
            let (data, root) = try export(fixture.annotations, posts: fixture.posts, baseURL: baseURL)
            let texts = Dictionary(
                uniqueKeysWithValues: fixture.posts.values.map {
                    (
                        baseURL == nil
                            ? "urn:nksync:post:\($0.id.rawValue)" : "https://example.org/nk/posts/\($0.id.rawValue)",
                        $0.text
                    )
                })
            #expect(w3cViolations(root, texts: texts) == [])
            // @context is the first key of the document.
            let json = try #require(String(data: data, encoding: .utf8))
            #expect(json.hasPrefix("{\n  \"@context\" : \"http://www.w3.org/ns/anno.jsonld\","))
            #expect(root["type"] as? String == "AnnotationCollection")
            #expect(root["total"] as? Int == 4)
            let page = try #require(root["first"] as? [String: Any])
            #expect(page["partOf"] as? String == root["id"] as? String)
            #expect(page["startIndex"] as? Int == 0)
            #expect(page["@context"] == nil)
            #expect(try items(root).count == 4)
            #expect(root["generated"] as? String == "2024-05-01T21:46:40Z")
        }
    }

    /// A JSON-LD processor silently drops keys its context does not define: every key written must be a
    /// term of http://www.w3.org/ns/anno.jsonld (the Vocabulary's Appendix A context).
    @Test func everyKeyIsATermOfTheAnnotationContext() throws {
        let terms: Set<String> = [
            "@context", "id", "type", "label", "total", "generated", "first", "partOf", "startIndex", "items",
            "motivation", "created", "modified", "creator", "name", "body", "value", "purpose", "format", "target",
            "source", "selector", "exact", "prefix", "suffix", "start", "end", "audience", "canonical",
        ]
        // schema.org terms through the `schema:` prefix that the annotation context defines.
        let schemaTerms: Set<String> = [
            "schema:audienceType", "schema:name", "schema:version", "schema:description", "schema:Audience",
        ]
        let fixture = try Fixture()
        let (_, root) = try export(fixture.annotations, posts: fixture.posts, baseURL: "https://example.org")
        var keys = Set<String>()
        var typeValues = Set<String>()
        func collect(_ value: Any) {
            if let object = value as? [String: Any] {
                keys.formUnion(object.keys)
                for key in ["type", "motivation", "purpose"] {
                    if let text = object[key] as? String { typeValues.insert(text) }
                }
                object.values.forEach(collect)
            } else if let array = value as? [Any] {
                array.forEach(collect)
            }
        }
        collect(root)
        #expect(keys.isSubset(of: terms.union(schemaTerms)), "\(keys.subtracting(terms.union(schemaTerms)))")
        #expect(
            typeValues == [
                "AnnotationCollection", "AnnotationPage", "Annotation", "Person", "TextualBody", "SpecificResource",
                "TextQuoteSelector", "TextPositionSelector", "commenting", "tagging", "highlighting",
                "schema:Audience",
            ])
    }

    @Test func annotationsMapToTheModel() throws {
        let fixture = try Fixture()
        let (_, root) = try export(fixture.annotations, posts: fixture.posts)
        let byID = Dictionary(uniqueKeysWithValues: try items(root).map { ($0["id"] as? String ?? "", $0) })

        let noted = try #require(byID["urn:uuid:6f1c2d4e-0000-4000-8000-000000000003"])
        #expect(noted["type"] as? String == "Annotation")
        #expect(noted["motivation"] as? String == "commenting")
        #expect(noted["created"] as? String == "2024-04-30T18:00:00Z")
        #expect(noted["modified"] as? String == "2024-05-01T07:53:20Z")
        let creator = try #require(noted["creator"] as? [String: Any])
        #expect(creator["type"] as? String == "Person")
        #expect(creator["name"] as? String == "alice")
        #expect(creator["id"] as? String == "urn:nksync:user:alice")
        let bodies = try #require(noted["body"] as? [[String: Any]])
        #expect(bodies.count == 3)
        #expect(bodies[0]["type"] as? String == "TextualBody")
        #expect(bodies[0]["value"] as? String == "Drivers expect\nlong waits.")
        #expect(bodies[0]["purpose"] as? String == "commenting")
        #expect(bodies[0]["format"] as? String == "text/plain")
        #expect(bodies[1...].map { $0["value"] as? String } == ["sanctions", "trade"])
        #expect(
            bodies[1...].allSatisfy { $0["purpose"] as? String == "tagging" && $0["type"] as? String == "TextualBody" })
        let target = try #require(noted["target"] as? [String: Any])
        #expect(target["type"] as? String == "SpecificResource")
        #expect(target["source"] as? String == "urn:nksync:post:\(fixture.dandong.id.rawValue)")
        let selectors = try #require(target["selector"] as? [[String: Any]])
        #expect(selectors.map { $0["type"] as? String } == ["TextQuoteSelector", "TextPositionSelector"])
        let anchor = try #require(fixture.annotations[0].anchor)
        #expect(selectors[0]["exact"] as? String == "Now we bring blankets.")
        #expect(selectors[0]["prefix"] as? String == anchor.prefix)
        #expect(selectors[0]["suffix"] as? String == anchor.suffix)
        #expect(selectors[1]["start"] as? Int == anchor.start)
        #expect(selectors[1]["end"] as? Int == anchor.end)

        // No note: highlighting without a body; a blank note and tags: tagging; an empty author: no creator;
        // a name with a space is percent-encoded in the agent's IRI.
        let highlight = try #require(byID["urn:uuid:6f1c2d4e-0000-4000-8000-000000000001"])
        #expect(highlight["motivation"] as? String == "highlighting")
        #expect(highlight["body"] == nil)
        #expect((highlight["creator"] as? [String: Any])?["id"] as? String == "urn:nksync:user:Lee%20Min-ji")
        let tagged = try #require(byID["urn:uuid:6f1c2d4e-0000-4000-8000-000000000002"])
        #expect(tagged["motivation"] as? String == "tagging")
        #expect((tagged["body"] as? [[String: Any]])?.map { $0["purpose"] as? String } == ["tagging"])
        #expect(tagged["creator"] == nil)

        // Offsets count Unicode scalars: the two emoji before the quote are 2 scalars but 4 UTF-16 units.
        let seoul = try #require(byID["urn:uuid:6f1c2d4e-0000-4000-8000-000000000004"])
        let position = try #require(
            ((seoul["target"] as? [String: Any])?["selector"] as? [[String: Any]])?.last)
        #expect(position["start"] as? Int == 25)
        #expect(position["end"] as? Int == 31)
        let before = String(String.UnicodeScalarView(fixture.seoul.text.unicodeScalars.prefix(25)))
        #expect(before.utf16.count == 27)
    }

    @Test func outputIsDeterministicAndOrderedByPostStartAndID() throws {
        let fixture = try Fixture()
        let (data, root) = try export(fixture.annotations, posts: fixture.posts)
        let (shuffled, _) = try export(fixture.annotations.reversed(), posts: fixture.posts)
        #expect(data == shuffled)
        let again = try W3CExport.collection(
            annotations: [
                fixture.annotations[2], fixture.annotations[0], fixture.annotations[3], fixture.annotations[1],
            ],
            posts: fixture.posts, baseURL: nil, generated: Self.generated)
        #expect(again == data)
        let order = try items(root).map {
            let target = $0["target"] as? [String: Any]
            let position = (target?["selector"] as? [[String: Any]])?.last
            return (target?["source"] as? String ?? "", position?["start"] as? Int ?? -1)
        }
        let expected = order.sorted { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        #expect(order.map(\.0) == expected.map(\.0))
        #expect(order.map(\.1) == expected.map(\.1))
        #expect(Set(order.map(\.0)).count == 2)
    }

    @Test func aBaseURLGivesHTTPIRIs() throws {
        let fixture = try Fixture()
        let (_, root) = try export(fixture.annotations, posts: fixture.posts, baseURL: "https://example.org/nk/")
        let collectionID = try #require(root["id"] as? String)
        #expect(collectionID.hasPrefix("https://example.org/nk/exports/"))
        #expect((root["first"] as? [String: Any])?["id"] as? String == collectionID + "/page/1")
        let sources = try items(root).compactMap { ($0["target"] as? [String: Any])?["source"] as? String }
        #expect(
            Set(sources) == Set([fixture.dandong.id, fixture.seoul.id].map { "https://example.org/nk/posts/\($0)" }))
    }

    @Test(arguments: ["example.org/nk", "", "https://exa mple.org", "1http://example.org", ":nothing"])
    func aBaseURLThatIsNotAnAbsoluteIRIIsRefused(baseURL: String) throws {
        let fixture = try Fixture()
        #expect(throws: W3CExportError.invalidBaseURL(baseURL)) {
            try W3CExport.collection(
                annotations: fixture.annotations, posts: fixture.posts, baseURL: baseURL, generated: Self.generated)
        }
    }

    @Test func aDuplicateAnnotationIsRefused() throws {
        let fixture = try Fixture()
        #expect(throws: W3CExportError.duplicateAnnotation(fixture.annotations[1].id)) {
            try W3CExport.collection(
                annotations: fixture.annotations + [fixture.annotations[1]], posts: fixture.posts, baseURL: nil,
                generated: Self.generated)
        }
    }

    @Test func noAnnotationsGiveAnEmptyCollectionWithoutAPage() throws {
        let (_, root) = try export([], posts: [:])
        #expect(w3cViolations(root) == [])
        #expect(root["total"] as? Int == 0)
        #expect(root["first"] == nil)
        #expect(root["type"] as? String == "AnnotationCollection")
    }

    @Test func stalePositionsAreLeftOutSoBothSelectorsNeverDisagree() throws {
        let fixture = try Fixture()
        var corrected = fixture.dandong
        corrected.body.insert("[Updated.]", at: 0)
        let posts = [corrected.id: corrected, fixture.seoul.id: fixture.seoul]
        let (_, root) = try export(fixture.annotations, posts: posts)
        let texts = ["urn:nksync:post:\(corrected.id.rawValue)": corrected.text]
        #expect(w3cViolations(root, texts: texts) == [])
        for item in try items(root) {
            let target = try #require(item["target"] as? [String: Any])
            let selectors = try #require(target["selector"] as? [[String: Any]])
            let isDandong = target["source"] as? String == "urn:nksync:post:\(corrected.id.rawValue)"
            #expect(selectors.map { $0["type"] as? String }.contains("TextPositionSelector") == !isDandong)
            #expect(selectors.first?["type"] as? String == "TextQuoteSelector")
        }
        // A post that is not given: both selectors, trusted as stored.
        let (_, unknown) = try export(fixture.annotations, posts: [:])
        #expect(try items(unknown).allSatisfy { (($0["target"] as? [String: Any])?["selector"] as? [Any])?.count == 2 })
    }

    /// The checker itself finds each broken MUST, so an empty list of violations above means something.
    @Test(arguments: [
        ("@context", "drop", "MUST have 1 or more @context"),
        ("@context", "other", "MUST include http://www.w3.org/ns/anno.jsonld"),
        ("id", "not an IRI", "§5.1 the collection MUST have exactly 1 IRI id"),
        ("type", "Collection", "the type MUST include AnnotationCollection"),
        ("total", "-1", "total MUST be an xsd:nonNegativeInteger"),
        ("first", "drop", "MUST have exactly 1 first page"),
        ("items", "empty", "MUST have an array of 1 or more annotations"),
        ("item.id", "anno-1", "an annotation MUST have exactly 1 IRI id"),
        ("item.type", "Note", "the type MUST include Annotation"),
        ("item.target", "drop", "MUST have 1 or more targets"),
        ("item.bodyValue", "text", "body and bodyValue MUST NOT both be present"),
        ("item.created", "2024-05-01 10:00", "MUST be an xsd:dateTime in UTC with Z"),
        ("item.source", "drop", "MUST have exactly 1 source"),
        ("selector.exact", "drop", "MUST have exactly 1 exact"),
        ("selector.start", "-3", "start and end MUST each be exactly 1 non-negative integer"),
        ("selector.start", "true", "start and end MUST each be exactly 1 non-negative integer"),
        ("selector.end", "2", "start is after end"),
        ("selector.end", "+1", "positions MUST count code points"),
        ("item.motivation", "liking", "not one of the vocabulary's instances"),
    ])
    func theCheckerFindsEachBrokenMust(field: String, change: String, violation: String) throws {
        let fixture = try Fixture()
        let annotation = fixture.annotations[3]
        let (_, original) = try export([annotation], posts: fixture.posts)
        var root = original
        var page = try #require(root["first"] as? [String: Any])
        var item = try #require(try items(root).first)
        var target = try #require(item["target"] as? [String: Any])
        var selectors = try #require(target["selector"] as? [[String: Any]])
        let value: Any? =
            switch change {
            case "drop": nil
            case "empty": [Any]()
            case "-1", "-3": Int(change)
            case "true": true
            case "2": 2
            case "+1": annotation.anchor!.end + 1
            default: change
            }
        switch field {
        case "items": page["items"] = value
        case "item.source": target["source"] = value
        case "selector.exact": selectors[0]["exact"] = value
        case "selector.start": selectors[1]["start"] = value
        case "selector.end": selectors[1]["end"] = value
        case let key where key.hasPrefix("item."): item[String(key.dropFirst(5))] = value
        default: root[field] = change == "drop" ? nil : value
        }
        if field == "@context", change == "other" { root["@context"] = "http://example.org/context.jsonld" }
        target["selector"] = selectors
        if field != "item.target" { item["target"] = target }
        if field != "items" { page["items"] = [item] }
        if field != "first" { root["first"] = page }
        let found = w3cViolations(root, texts: ["urn:nksync:post:\(fixture.seoul.id.rawValue)": fixture.seoul.text])
        #expect(found.contains { $0.contains(violation) }, "\(found)")
        #expect(w3cViolations(original, texts: [:]) == [])
    }

    @Test func everyAnnotationSaysWhoMaySeeIt() throws {
        var fixture = try Fixture()
        fixture.annotations[0].visibility = .group("north")
        fixture.annotations[1].visibility = .private
        let (_, root) = try export(fixture.annotations, posts: fixture.posts)
        #expect(w3cViolations(root) == [])
        let byID = Dictionary(uniqueKeysWithValues: try items(root).map { ($0["id"] as? String ?? "", $0) })
        func audience(_ number: Int) throws -> [String: Any] {
            let item = try #require(byID["urn:uuid:6f1c2d4e-0000-4000-8000-00000000000\(number)"])
            return try #require(item["audience"] as? [String: Any])
        }
        let group = try audience(3)
        #expect(group["type"] as? String == "schema:Audience")
        #expect(group["schema:audienceType"] as? String == "group" && group["schema:name"] as? String == "group north")
        #expect(group["id"] as? String == "urn:nksync:audience:group:north")
        let secret = try audience(1)
        #expect(secret["schema:audienceType"] as? String == "private")
        #expect(secret["id"] as? String == "urn:nksync:audience:private:Lee%20Min-ji")
        #expect(try audience(4)["schema:audienceType"] as? String == "shared")
        #expect(try audience(4)["id"] as? String == "urn:nksync:audience:shared")
    }

    @Test func everyVersionOfAnAnnotationInConflictIsAnAnnotationOfItsOwn() throws {
        let fixture = try Fixture()
        let original = fixture.annotations[0]
        var other = original
        other.note = "Another reading"
        let exported = [
            ExportedAnnotation(original, conflict: ConflictVersion(index: 0, count: 2, version: "a:2", deleted: false)),
            ExportedAnnotation(other, conflict: ConflictVersion(index: 1, count: 2, version: "b:1", deleted: true)),
            ExportedAnnotation(fixture.annotations[3]),
        ]
        let data = try W3CExport.collection(
            exported: exported, posts: fixture.posts, baseURL: nil, generated: Self.generated)
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(w3cViolations(root) == [])
        let items = try items(root)
        #expect(items.count == 3 && root["total"] as? Int == 3)
        let iri = "urn:uuid:\(original.id.rawValue)"
        let versions = items.filter { $0["canonical"] as? String == iri }
        #expect(versions.map { $0["id"] as? String } == ["\(iri)#version-0", "\(iri)#version-1"])
        #expect(versions.map { $0["schema:version"] as? String } == ["a:2", "b:1"])
        let description = try #require(versions[1]["schema:description"] as? String)
        #expect(description.contains("version 2 of 2") && description.contains("deletes the note"))
        let single = try #require(
            items.first { $0["id"] as? String == "urn:uuid:\(fixture.annotations[3].id.rawValue)" })
        #expect(single["canonical"] == nil && single["schema:version"] == nil)
        // The same version twice is still refused.
        #expect(throws: W3CExportError.self) {
            try W3CExport.collection(
                exported: [exported[0], exported[0]], posts: fixture.posts, baseURL: nil, generated: Self.generated)
        }
    }
}
