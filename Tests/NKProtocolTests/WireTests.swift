import Foundation
import NKProtocol
import NKTestTraits
import Testing

@Suite(.tags(.unit)) struct WireTests {
    static let annotation = Annotation(
        id: AnnotationID("0f8e3c1a-8a8e-4a55-9b1e-2f3f6c7d8e9f"),
        postId: PostID("00aa11bb22cc33dd"),
        anchor: Anchor(exact: "hard currency", prefix: "off ", suffix: ".", start: 4, end: 17),
        note: "Compare with the 2013 measures.",
        tags: ["sanctions", "finance", "sanctions"],
        visibility: .shared,
        author: "alice",
        createdAt: Date(timeIntervalSince1970: 1_700_000_000),
        updatedAt: Date(timeIntervalSince1970: 1_700_000_000)
    )

    @Test func anAnnotationVersionRoundTripsWithAGoldenShape() throws {
        let version = RecordVersion(
            version: VersionVector([ReplicaID("r1"): 1]), editor: "alice", body: .annotation(Self.annotation))
        let data = try Wire.makeEncoder().encode(version)
        let json = String(decoding: data, as: UTF8.self)
        #expect(json.hasPrefix(#"{"annotation":{"anchor":{"end":17,"exact":"hard currency""#))
        #expect(json.contains(#""createdAt":"2023-11-14T22:13:20Z""#))
        #expect(json.contains(#""tags":["finance","sanctions"]"#))
        #expect(json.hasSuffix(#""type":"annotation","version":{"r1":1}}"#))
        #expect(try Wire.makeDecoder().decode(RecordVersion.self, from: data) == version)
    }

    @Test func anIdThatDiffersFromTheBodyIsRejected() throws {
        let version = RecordVersion(version: VersionVector([ReplicaID("r1"): 1]), body: .annotation(Self.annotation))
        var object = try #require(
            JSONSerialization.jsonObject(with: Wire.makeEncoder().encode(version)) as? [String: Any])
        object["id"] = "something-else"
        let data = try JSONSerialization.data(withJSONObject: object)
        #expect(throws: DecodingError.self) { try Wire.makeDecoder().decode(RecordVersion.self, from: data) }
    }

    @Test func validationRejectsWhatTheStoreMustNotHold() throws {
        func version(_ change: (inout Annotation) -> Void, vector: VersionVector = VersionVector([ReplicaID("r1"): 1]))
            -> RecordVersion
        {
            var annotation = Self.annotation
            change(&annotation)
            return RecordVersion(version: vector, body: .annotation(annotation))
        }
        #expect(throws: Never.self) { try version { _ in }.validate() }
        let bad: [(RecordVersion, String)] = [
            (version({ $0.note = "a\u{0}b" }), "NUL"),
            (version({ $0.id = AnnotationID("not-a-uuid") }), "UUID"),
            (version({ $0.tags = Array(repeating: "t", count: 1) + ["", "x"] }), "tag"),
            (version({ $0.anchor!.exact = "" }), "quote"),
            (version({ $0.anchor!.end = $0.anchor!.start }), "offsets"),
            (version({ $0.postId = PostID("../../etc/passwd") }), "post id"),
            (version({ _ in }, vector: VersionVector()), "empty"),
            (version({ _ in }, vector: VersionVector([ReplicaID("r1"): Limits.maxCounter + 1])), "2^53"),
            (version({ _ in }, vector: VersionVector([ReplicaID("bad key!"): 1])), "replica id"),
        ]
        for (candidate, fragment) in bad {
            do {
                try candidate.validate()
                Issue.record("expected a validation failure about \(fragment)")
            } catch {
                #expect(error.message.contains(fragment), "\(error.message)")
            }
        }
    }
}

@Suite(.tags(.unit)) struct VisibilityTests {
    @Test(arguments: [
        ("shared", Visibility.shared), ("private", .private), ("group:north-desk", .group("north-desk")),
    ])
    func parsesAndPrints(text: String, visibility: Visibility) throws {
        #expect(Visibility(rawValue: text) == visibility)
        #expect(visibility.rawValue == text)
        let json = try Wire.makeEncoder().encode([visibility])
        #expect(String(decoding: json, as: UTF8.self) == "[\"\(text)\"]")
        #expect(try Wire.makeDecoder().decode([Visibility].self, from: json) == [visibility])
    }

    @Test(arguments: ["", "public", "group:", "group:has space", "Shared", "group:../x"])
    func rejectsAnythingElse(text: String) {
        #expect(Visibility(rawValue: text) == nil)
        #expect(throws: DecodingError.self) {
            try Wire.makeDecoder().decode([Visibility].self, from: Data("[\"\(text)\"]".utf8))
        }
    }
}
