import Foundation
import NKProtocol
import NKTestTraits
import Testing

@testable import NKClient

@Suite(.tags(.unit)) struct ReplicaEditingTests {
    let me = ReplicaID("rep-alice")

    @Test func annotateWritesAPendingVersionWithOneEditByThisReplica() throws {
        let folder = try ScratchFolder()
        let replica = try Fixtures.replica(in: folder)
        let id = try replica.annotate(
            post: Fixtures.post.id.rawValue, quote: "hard currency", note: "check", tags: ["b", "a", "a"])

        #expect(Annotation.isCanonicalUUID(id.rawValue))
        let held = try replica.held(id.rawValue)
        let version = try #require(held.first)
        #expect(held.count == 1 && version.pending)
        #expect(version.version.version == VersionVector([me: 1]))
        guard case .annotation(let annotation) = version.version.body else {
            Issue.record("not an annotation")
            return
        }
        #expect(annotation.author == "alice" && annotation.tags == ["a", "b"] && annotation.visibility == .shared)
        #expect(annotation.anchor!.exact == "hard currency")
        let scalars = Array(Fixtures.post.text.unicodeScalars)
        #expect(
            String(String.UnicodeScalarView(scalars[annotation.anchor!.start..<annotation.anchor!.end]))
                == "hard currency")
        #expect(try replica.status().pending == 1)
    }

    @Test func aQuoteThatIsMissingOrAmbiguousIsRefused() throws {
        let folder = try ScratchFolder()
        let replica = try Fixtures.replica(in: folder)
        let post = Fixtures.post.id.rawValue
        #expect { try replica.annotate(post: post, quote: "not in the text") } throws: {
            ($0 as? ClientError)?.code == .invalidInput
        }
        #expect { try replica.annotate(post: post, quote: "latest round") } throws: {
            ($0 as? ClientError)?.message.contains("2 times") == true
        }
        let second = try replica.annotate(post: post, quote: "latest round", occurrence: 2)
        guard case .annotation(let annotation) = try #require(replica.held(second.rawValue).first).version.body else {
            Issue.record("not an annotation")
            return
        }
        #expect(annotation.anchor!.start > Fixtures.post.body[0].unicodeScalars.count)
        #expect(try replica.status().pending == 1)
    }

    @Test func editMergesEverySiblingAndIncrementsThisReplica() throws {
        let folder = try ScratchFolder()
        let replica = try Fixtures.replica(in: folder)
        let id = Fixtures.annotation().id.rawValue
        // Given a conflict pulled from the server
        try replica.applyRemote(
            RecordVersion(
                version: Fixtures.vector(["x": 2]), editor: "alice", body: .annotation(Fixtures.annotation(note: "x"))),
            RecordVersion(
                version: Fixtures.vector(["y": 1]), editor: "bob", body: .annotation(Fixtures.annotation(note: "y"))))
        #expect(try replica.conflicts().count == 1)

        // When Alice edits it
        let vector = try replica.edit(id, note: "merged")

        // Then one pending version that has seen both siblings
        #expect(vector == Fixtures.vector(["x": 2, "y": 1, "rep-alice": 1]))
        let held = try replica.held(id)
        #expect(held.count == 1 && held[0].pending && held[0].version.version == vector)
        #expect(try replica.conflicts().isEmpty)
        #expect(try replica.notes().map(\.note) == ["merged"])
    }

    @Test func editKeepsWhatIsNotChangedAndNeedsSomethingToChange() throws {
        let folder = try ScratchFolder()
        let replica = try Fixtures.replica(in: folder)
        let id = try replica.annotate(post: Fixtures.post.id.rawValue, quote: "hard currency", note: "n", tags: ["t"])
        try replica.edit(id.rawValue, tags: ["u"])
        let note = try #require(replica.notes().first)
        #expect(note.note == "n" && note.tags == ["u"] && note.version == VersionVector([me: 2]))
        #expect { try replica.edit(id.rawValue) } throws: { ($0 as? ClientError)?.code == .invalidInput }
    }

    @Test func deleteWritesATombstoneThatKeepsTheBody() throws {
        let folder = try ScratchFolder()
        let replica = try Fixtures.replica(in: folder)
        let id = try replica.annotate(post: Fixtures.post.id.rawValue, quote: "hard currency", note: "gone soon")
        let vector = try replica.delete(id.rawValue)
        #expect(vector == VersionVector([me: 2]))
        let held = try replica.held(id.rawValue)
        #expect(held.count == 1 && held[0].version.deleted && held[0].pending)
        guard case .annotation(let annotation) = held[0].version.body else {
            Issue.record("not an annotation")
            return
        }
        #expect(annotation.note == "gone soon")
        #expect(try replica.notes().isEmpty)
        #expect { try replica.delete(id.rawValue) } throws: { ($0 as? ClientError)?.code == .notFound }
    }

    @Test func someoneElsesNoteCanBeEditedButNotDeletedOrMadePrivate() throws {
        let folder = try ScratchFolder()
        let replica = try Fixtures.replica(in: folder)
        let bobs = Fixtures.annotation(author: "bob")
        try replica.applyRemote(
            RecordVersion(version: Fixtures.vector(["rep-bob": 1]), editor: "bob", body: .annotation(bobs)))
        let id = bobs.id.rawValue

        #expect { try replica.delete(id) } throws: { ($0 as? ClientError)?.code == .notAllowed }
        #expect { try replica.edit(id, visibility: .private) } throws: { ($0 as? ClientError)?.code == .notAllowed }
        #expect(try replica.status().pending == 0)

        try replica.edit(id, note: "Alice adds a point", visibility: .shared)
        let note = try #require(replica.notes().first)
        #expect(note.author == "bob" && note.note == "Alice adds a point")
    }

    @Test func anInvalidEditIsRefusedBeforeItIsWritten() throws {
        let folder = try ScratchFolder()
        let replica = try Fixtures.replica(in: folder)
        let id = try replica.annotate(post: Fixtures.post.id.rawValue, quote: "hard currency")
        let tooLong = String(repeating: "x", count: Limits.maxNoteLength + 1)
        #expect { try replica.edit(id.rawValue, note: tooLong) } throws: { ($0 as? ClientError)?.code == .invalidInput }
        #expect(try replica.held(id.rawValue).map(\.version.version) == [VersionVector([me: 1])])
    }

    @Test func idsMayBeGivenByAUniquePrefix() throws {
        let folder = try ScratchFolder()
        let replica = try Fixtures.replica(in: folder, posts: [Fixtures.post, Fixtures.otherPost])
        let first = Fixtures.annotation(id: AnnotationID("abc00000-0000-4000-8000-000000000001"))
        let second = Fixtures.annotation(id: AnnotationID("abd00000-0000-4000-8000-000000000002"))
        try replica.applyRemote(
            RecordVersion(version: Fixtures.vector(["s": 1]), body: .annotation(first)),
            RecordVersion(version: Fixtures.vector(["s": 1]), body: .annotation(second)))

        try replica.edit("ABC", note: "by prefix")
        #expect(try replica.notes().first { $0.id == first.id }?.note == "by prefix")
        #expect { try replica.edit("ab", note: "?") } throws: {
            let error = $0 as? ClientError
            return error?.code == .ambiguousID && error?.message.contains("matches 2") == true
        }
        #expect { try replica.edit("ffff", note: "?") } throws: { ($0 as? ClientError)?.code == .notFound }
        #expect(try replica.post(String(Fixtures.otherPost.id.rawValue.prefix(6))).post.title == "Rail link opens")
    }

    @Test func operationsOnAHomeWithoutAReplicaSayHowToMakeOne() throws {
        let folder = try ScratchFolder()
        #expect { try Replica.open(home: ReplicaHome(url: folder.url)) } throws: {
            let error = $0 as? ClientError
            return error?.code == .noReplica && error?.message.contains("nkclient init") == true
        }
    }

    @Test func theConfigIsPrivateToItsOwner() throws {
        let folder = try ScratchFolder()
        let replica = try Fixtures.replica(in: folder)
        let attributes = try FileManager.default.attributesOfItem(atPath: replica.home.configURL.path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let reopened = try Replica.open(home: replica.home)
        #expect(reopened.config == replica.config)
        #expect {
            try Replica.create(home: replica.home, config: replica.config, replacing: false)
        } throws: { ($0 as? ClientError)?.code == .replicaExists }
    }
}
