import ArgumentParser
import Foundation
import NKProtocol
import NKServer

/// `nkserver user list`: one line per user, never a token.
struct UserList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the users: name, creation time, status and access."
    )

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let users = try await database.withExistingStore { try await $0.users() }
        guard !users.isEmpty else {
            FileHandle.standardError.write(Data("no users yet; add one with 'nkserver user add NAME'\n".utf8))
            return
        }
        let rows = [["NAME", "CREATED", "STATUS", "ACCESS"]] + users.map(Self.row)
        let widths = (0..<4).map { column in rows.map { $0[column].count }.max() ?? 0 }
        for row in rows {
            let cells = row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }
            print(cells.joined(separator: "  "))
        }
    }

    static func row(_ user: UserSummary) -> [String] {
        let status = user.revokedAt.map { "revoked " + timestamp($0) } ?? "active"
        // Names are checked when added, but the table is only as clean as whoever wrote it.
        return [
            TerminalText.escaped(user.name, .singleLine), timestamp(user.createdAt), status,
            user.readOnly ? "read-only" : "read-write",
        ]
    }

    static func timestamp(_ date: Date) -> String {
        date.ISO8601Format()
    }
}
