/// `nkclient log --json`.
struct LogOutput: Decodable {
    var action: String
    var type: String
    var id: String
    var editor: String?
    var title: String?
    var excerpt: String?
}

/// `nkclient status --json` with the last sync.
struct LastSyncOutput: Decodable {
    var lastSync: String?
    var pending: Int
    var cursor: Int64?
}

/// One line of `nkclient sync --watch --json`.
struct WatchLineOutput: Decodable {
    var pushed: Int
    var pulled: Int
    var conflicts: Int
}
