/// What `group list` shows of a group: its name and its members, by name.
public struct GroupSummary: Hashable, Sendable, Codable {
    public var name: String
    public var members: [String]

    public init(name: String, members: [String]) {
        self.name = name
        self.members = members
    }
}
