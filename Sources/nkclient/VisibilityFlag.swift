import ArgumentParser
import NKProtocol

/// `--private` or `--shared`.
enum VisibilityFlag: String, EnumerableFlag {
    case `private`
    case shared

    var visibility: Visibility {
        switch self {
        case .private: .private
        case .shared: .shared
        }
    }

    static func help(for value: VisibilityFlag) -> ArgumentHelp? {
        switch value {
        case .private: "Make the note visible to you only (author only)."
        case .shared: "Make the note visible to everyone."
        }
    }
}

/// `--visibility V` and `--group NAME`.
enum VisibilityOption {
    /// `shared`, `private` or `group:NAME`.
    static func parse(_ text: String) throws -> Visibility {
        if let value = Visibility(rawValue: text) { return value }
        if text.hasPrefix("group:") { throw ValidationError(groupNameRule(String(text.dropFirst("group:".count)))) }
        throw ValidationError("unknown visibility '\(text.prefix(80))'; choose shared, private or group:NAME")
    }

    static func groupNameRule(_ name: String) -> String {
        "'\(name.prefix(80))' is not a group name: 1 to 64 letters, digits, '.', '_' or '-'"
    }
}
