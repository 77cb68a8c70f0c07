import Foundation
import NKProtocol
import NKTestTraits
import Testing

@testable import NKServer

/// The pull page spliced from stored JSON (`changesJSON`) must be what encoding the page it decodes
/// to gives, byte for byte, on both stores (`PullPageJSONPropertyTests` holds the writer itself to it
/// over hostile text).
@Suite("Store: pull page JSON", .tags(.unit, .postgres))
struct StorePullJSONTests {
    @Test(arguments: StoreKind.available)
    func splicedPageIsTheEncodedPageForEveryReaderAndPage(_ kind: StoreKind) async throws {
        let fixture = try await StoreFixture(kind)
        _ = try await fixture.store.importPosts([Sample.post])
        let (alice, _) = try await fixture.user("alice")
        let (bob, _) = try await fixture.user("bob")
        let (carol, _) = try await fixture.user("carol")
        try await fixture.store.addGroup(name: "desk")
        _ = try await fixture.store.addMember(group: "desk", user: "alice")
        _ = try await fixture.store.addMember(group: "desk", user: "carol")
        let notes: [(Visibility, String)] = [
            (.shared, "Plain note."),
            (.private, "Private: \"quoted\" \\ back\\slash, tab\tand newline\nand ünïcode — and a / slash."),
            (.group("desk"), "For the desk only \u{1F4F0}."),
            (.shared, "Control \u{01} character and an emoji \u{1F600}"),
        ]
        var made: [Annotation] = []
        for (index, (visibility, text)) in notes.enumerated() {
            let note = try Sample.annotation(note: text, visibility: visibility)
            made.append(note)
            _ = try await fixture.store.push(
                user: alice, replica: ReplicaID("ra"),
                versions: [Sample.annotationVersion(note, ["ra": UInt64(index + 1)])])
        }
        // A deleted version and a conflict, so `deleted` and siblings travel too.
        let contested = try Sample.annotation(note: "First.")
        _ = try await fixture.store.push(
            user: alice, replica: ReplicaID("ra"), versions: [Sample.annotationVersion(contested, ["ra": 9])])
        var edited = contested
        edited.note = "Edited elsewhere."
        _ = try await fixture.store.push(
            user: alice, replica: ReplicaID("rb"),
            versions: [
                Sample.annotationVersion(edited, ["rb": 1]),
                Sample.annotationVersion(contested, ["ra": 9, "rc": 1], deleted: true),
            ])

        // The shared note made private: bob and carol could hold it, so they get it hidden.
        var narrowed = made[0]
        narrowed.visibility = .private
        _ = try await fixture.store.push(
            user: alice, replica: ReplicaID("ra"), versions: [Sample.annotationVersion(narrowed, ["ra": 10])])

        let encoder = Wire.makeEncoder()
        let latest = try await fixture.store.latestSequence()
        for user in [alice, bob, carol] {
            for (since, limit) in [(Int64(0), 100), (0, 1), (2, 3), (5, 2), (100, 10)] where since <= 8 || limit == 10 {
                guard let spliced = try? await fixture.store.changesJSON(user: user, since: since, limit: limit) else {
                    #expect(since > latest, "only a cursor beyond the store's changes is refused, not since=\(since)")
                    continue
                }
                let page = try Wire.makeDecoder().decode(PullResponse.self, from: spliced)
                #expect(page.changes.count <= limit && page.latest == latest, "user \(user.name) since \(since)")
                #expect(
                    String(decoding: spliced, as: UTF8.self)
                        == String(decoding: try encoder.encode(page), as: UTF8.self),
                    "byte for byte, user \(user.name) since \(since) limit \(limit)")
            }
        }
        let bobsPage = try Wire.makeDecoder().decode(
            PullResponse.self, from: try await fixture.store.changesJSON(user: bob, since: 0, limit: 100))
        #expect(
            bobsPage.changes.filter { $0.hidden != nil }.count == 1,
            "bob sees the note made private hidden, and nothing of the private and the group note")
    }

    @Test func quotedEscapesLikeJSONEncoder() throws {
        let encoder = Wire.makeEncoder()
        for text in [
            "plain", "a\"b", "back\\slash", "a/b", "\u{00}\u{1F}\u{7F}", "line\nfeed\r\t\u{08}\u{0C}", "é—\u{1F600}",
            "",
        ] {
            #expect(
                PullPageJSON.quoted(text) == String(decoding: try encoder.encode(text), as: UTF8.self),
                "\(text.debugDescription)")
        }
    }
}
