import ArgumentParser
import Foundation
import NKProtocol
import NKServer

/// `nkserver group list [--json]`: every group with its members.
struct GroupList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the groups and their members.")

    @Flag(help: "Print a JSON array of {\"name\", \"members\"}.")
    var json = false

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let groups = try await database.withExistingStore { try await $0.groups() }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(TerminalText.terminalSafeJSON(String(decoding: try encoder.encode(groups), as: UTF8.self)))
            return
        }
        guard !groups.isEmpty else {
            FileHandle.standardError.write(Data("no groups yet; add one with 'nkserver group add NAME'\n".utf8))
            return
        }
        for group in groups {
            let names = group.members.map { TerminalText.escaped($0, .singleLine) }
            let members = names.isEmpty ? "(no members)" : names.joined(separator: ", ")
            print("\(TerminalText.escaped(group.name, .singleLine)): \(members)")
        }
    }
}
