import Foundation
import GRDB
import NKProtocol
import NKTestTraits
import Testing

@testable import NKServer

@Suite("Store: users and tokens", .tags(.unit, .postgres))
struct StoreUserTests {
    @Test(arguments: StoreKind.available) func tokenAuthenticatesUntilRevoked(_ kind: StoreKind) async throws {
        let fixture = try await StoreFixture(kind)
        let token = try await fixture.store.addUser(name: "alice")

        let before = try await fixture.store.authenticate(token: token)
        let revoked = try await fixture.store.revokeUser(name: "alice")
        let again = try await fixture.store.revokeUser(name: "alice")
        let after = try await fixture.store.authenticate(token: token)

        #expect(before?.name == "alice")
        #expect(revoked)
        #expect(!again)
        #expect(after == nil)
        #expect(try await fixture.store.users().first?.revokedAt != nil)
    }

    @Test func tokensAreLongRandomAndStoredOnlyAsHashes() async throws {
        let fixture = try await StoreFixture(.sqlite)
        let first = try await fixture.store.addUser(name: "alice")
        let second = try await fixture.store.addUser(name: "bob")

        #expect(first.count == 64)
        #expect(first != second)
        #expect(try await fixture.store.authenticate(token: Token.hash(first)) == nil)
        let contents =
            try Data(contentsOf: URL(fileURLWithPath: fixture.databasePath))
            + ((try? Data(contentsOf: URL(fileURLWithPath: fixture.databasePath + "-wal"))) ?? Data())
        #expect(contents.range(of: Data(first.utf8)) == nil)
        #expect(contents.range(of: Data(Token.hash(first).utf8)) != nil)
    }

    @Test(arguments: StoreKind.available, ["", "has space", "semi;colon", String(repeating: "a", count: 65)])
    func invalidNamesAreRefused(kind: StoreKind, name: String) async throws {
        let fixture = try await StoreFixture(kind)

        let error = await #expect(throws: ServerError.self) {
            try await fixture.store.addUser(name: name)
        }

        #expect(error?.code == .invalidUserName)
    }

    @Test(arguments: StoreKind.available) func duplicateAndUnknownNamesAreErrors(_ kind: StoreKind) async throws {
        let fixture = try await StoreFixture(kind)
        _ = try await fixture.store.addUser(name: "alice")

        let duplicate = await #expect(throws: ServerError.self) {
            try await fixture.store.addUser(name: "alice")
        }
        let unknown = await #expect(throws: ServerError.self) {
            try await fixture.store.revokeUser(name: "carol")
        }

        #expect(duplicate?.code == .userExists)
        #expect(unknown?.code == .unknownUser)
    }

    @Test(arguments: StoreKind.available) func readOnlyFlagIsKept(_ kind: StoreKind) async throws {
        let fixture = try await StoreFixture(kind)
        let token = try await fixture.store.addUser(name: "reader", readOnly: true)

        #expect(try await fixture.store.authenticate(token: token)?.readOnly == true)
        #expect(try await fixture.store.users().map(\.readOnly) == [true])
    }

    @Test func databaseRunsInWALWithSynchronousFull() async throws {
        let fixture = try await StoreFixture(.sqlite)
        let store = try #require(fixture.store as? SQLiteStore)

        let (mode, sync) = try await store.pool.write { db in
            (try String.fetchOne(db, sql: "PRAGMA journal_mode"), try Int.fetchOne(db, sql: "PRAGMA synchronous"))
        }

        #expect(mode == "wal")
        #expect(sync == 2)
    }
}
