/// The JSON that `nkclient` prints, as scripts read it.
struct SyncOutput: Decodable, Equatable {
    var pushed: Int
    var pulled: Int
    var conflicts: Int
}

struct PostOutput: Decodable {
    var id: String
    var title: String
    var source: String?
    var category: String
}

struct NoteOutput: Decodable {
    var id: String
    var postId: String
    var author: String
    var visibility: String
    var quote: String?
    var target: String?
    var replyTo: String?
    var depth: Int?
    var parentDeleted: Bool?
    var anchor: String?
    var note: String
    var tags: [String]
    var version: [String: Int]
    var conflict: Bool
    var editor: String?
    var created: String?
    var modified: String?
    var rejected: RejectedOutput?
}

/// One entry of `nkclient rejected --json`, and the `rejected` of a note.
struct RejectedOutput: Decodable {
    var type: String
    var id: String
    var code: String
    var message: String
    var note: String?
    var visibility: String?
    var serverHasRecord: Bool
    var fix: String
}

struct ConflictOutput: Decodable {
    struct Version: Decodable {
        var note: String
        var tags: [String]
        var author: String
        var deleted: Bool
        var version: [String: Int]
    }

    var id: String
    var versions: [Version]
}

struct StatusOutput: Decodable {
    var server: String
    var user: String
    var replica: String
    var pending: Int
    var conflicts: Int
    var rejected: Int
}
