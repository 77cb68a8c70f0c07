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
