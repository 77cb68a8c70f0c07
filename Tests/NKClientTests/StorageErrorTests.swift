import Foundation
import GRDB
import NKProtocol
import NKTestTraits
import Testing

@testable import NKClient

/// Local storage failures are one clear line (found by the disk-fault suite, RELIABILITY.md §10).
@Suite(.tags(.unit)) struct StorageErrorTests {
    @Test func aDatabaseErrorIsOneLineWithoutItsStatement() throws {
        let folder = try ScratchFolder()
        let replica = try Fixtures.replica(in: folder)

        // When a statement that spans lines fails (as an injected I/O error makes an INSERT fail)
        let error = #expect(throws: ClientError.self) {
            try replica.write { db in try db.execute(sql: "INSERT INTO nowhere\n    (a, b)\nVALUES (1, 2)") }
        }

        // Then the message is one line with SQLite's code and reason, and no SQL
        let message = try #require(error).message
        #expect(error?.code == .storage)
        #expect(!message.contains("\n"), "\(message)")
        #expect(message.hasPrefix("the replica database failed: SQLite error 1: no such table: nowhere"), "\(message)")
        #expect(!message.contains("INSERT"))
    }

    @Test func aConfigThatCannotBeReadIsAStorageErrorNotAnInvalidConfig() throws {
        let folder = try ScratchFolder()
        let replica = try Fixtures.replica(in: folder)
        let config = replica.home.url.appendingPathComponent("config.json")

        // Given a config.json that cannot be read (a directory stands in for an I/O error)
        try FileManager.default.removeItem(at: config)
        try FileManager.default.createDirectory(at: config, withIntermediateDirectories: false)
        let unreadable = #expect(throws: ClientError.self) { try Replica.open(home: replica.home) }

        // Then it says so, in one line, and does not call the config invalid (which invites init --force)
        #expect(unreadable?.code == .storage)
        #expect(unreadable?.message.contains("Is a directory") == true, "\(unreadable?.message ?? "")")
        #expect(unreadable?.message.contains("not a valid replica config") == false)
        #expect(unreadable?.message.contains("\n") == false)

        // While a config that reads but does not decode is still a configuration error
        try FileManager.default.removeItem(at: config)
        try Data("{not json".utf8).write(to: config)
        let invalid = #expect(throws: ClientError.self) { try Replica.open(home: replica.home) }
        #expect(invalid?.code == .configuration)
        #expect(invalid?.message.contains("not a valid replica config") == true)
    }
}
