/// An error of the server library: a stable code, a message that says what happened and what to do,
/// and the underlying cause when a dependency failed.
///
/// Messages never carry note texts or tokens. The HTTP layer turns the code into a status and an
/// ``NKProtocol/ErrorResponse``; the command line turns it into an exit code.
public struct ServerError: Error, Sendable, CustomStringConvertible {
    /// A stable error code, as sent on the wire (`bad_request`, `forbidden`, ...).
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case badRequest = "bad_request"
            case invalidJSON = "invalid_json"
            case invalidCursor = "invalid_cursor"
            case batchTooLarge = "batch_too_large"
            case unauthorized
            case forbidden
            case replicaMismatch = "replica_mismatch"
            case readOnly = "read_only"
            case notFound = "not_found"
            case bodyTooLarge = "body_too_large"
            case `internal`
            case invalidUserName = "invalid_user_name"
            case userExists = "user_exists"
            case unknownUser = "unknown_user"
            case invalidPost = "invalid_post"
            case invalidCorpus = "invalid_corpus"
            case unreadableFile = "unreadable_file"
            case database
            case invalidGroupName = "invalid_group_name"
            case groupExists = "group_exists"
            case unknownGroup = "unknown_group"
            case alreadyMember = "already_member"
            case notMember = "not_member"
            case rateLimited = "rate_limited"
            case methodNotAllowed = "method_not_allowed"
            case unsupportedMediaType = "unsupported_media_type"
            case unavailable
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The code as sent on the wire.
        public var rawValue: String { base.rawValue }
        public var description: String { base.rawValue }

        /// A request is malformed in a way no other code describes.
        public static let badRequest = Code(.badRequest)
        /// The body is not JSON of the expected shape.
        public static let invalidJSON = Code(.invalidJSON)
        /// The `since` cursor of a pull is not a change sequence number of this server.
        public static let invalidCursor = Code(.invalidCursor)
        /// A push holds more versions than allowed.
        public static let batchTooLarge = Code(.batchTooLarge)
        /// The bearer token is missing, unknown or revoked.
        public static let unauthorized = Code(.unauthorized)
        /// The user may not do this.
        public static let forbidden = Code(.forbidden)
        /// The replica id is bound to another user.
        public static let replicaMismatch = Code(.replicaMismatch)
        /// The user is read-only and may not push.
        public static let readOnly = Code(.readOnly)
        /// No such endpoint or record.
        public static let notFound = Code(.notFound)
        /// The request body is larger than allowed.
        public static let bodyTooLarge = Code(.bodyTooLarge)
        /// Something went wrong on the server; never caused by the request.
        public static let `internal` = Code(.internal)
        /// A user name is not 1 to 64 of `A-Z a-z 0-9 . _ -`.
        public static let invalidUserName = Code(.invalidUserName)
        /// A user of that name already exists.
        public static let userExists = Code(.userExists)
        /// No user of that name exists.
        public static let unknownUser = Code(.unknownUser)
        /// An imported post does not meet the record limits.
        public static let invalidPost = Code(.invalidPost)
        /// A corpus file is not in the blog-dump format.
        public static let invalidCorpus = Code(.invalidCorpus)
        /// A file is missing, unreadable or not UTF-8 text.
        public static let unreadableFile = Code(.unreadableFile)
        /// The database could not be opened, migrated or written.
        public static let database = Code(.database)
        /// A group name is not 1 to 64 of `A-Z a-z 0-9 . _ -`.
        public static let invalidGroupName = Code(.invalidGroupName)
        /// A group of that name already exists.
        public static let groupExists = Code(.groupExists)
        /// No group of that name exists.
        public static let unknownGroup = Code(.unknownGroup)
        /// The user is already a member of the group.
        public static let alreadyMember = Code(.alreadyMember)
        /// The user is not a member of the group.
        public static let notMember = Code(.notMember)
        /// The user sent more requests than the rate limit allows; retry after `Retry-After` seconds.
        public static let rateLimited = Code(.rateLimited)
        /// The path exists but does not answer this method; `Allow` lists the ones it does.
        public static let methodNotAllowed = Code(.methodNotAllowed)
        /// The request body is declared as something other than JSON.
        public static let unsupportedMediaType = Code(.unsupportedMediaType)
        /// On the wire only: what a `database` error is answered with (503, `Retry-After`).
        public static let unavailable = Code(.unavailable)
    }

    public var code: Code
    /// What happened and what to do. Holds no note text and no token.
    public var message: String
    /// The dependency error behind this one, if any. Kept for logs; never sent to clients.
    public var underlying: (any Error)?

    public init(_ code: Code, _ message: String, underlying: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
    }

    public var description: String { message }
}

extension ServerError {
    /// Refuses (`invalid_cursor`) a pull or wait cursor below 0 or beyond `last`, the newest
    /// sequence number the store ever gave (a replica of another or a replaced database).
    static func checkCursor(_ since: Int64, last: Int64) throws {
        guard since >= 0 else {
            throw ServerError(.invalidCursor, "the cursor 'since' must be 0 or more")
        }
        guard since <= last else {
            throw ServerError(
                .invalidCursor,
                "the cursor \(since) is ahead of this server's changes (last \(last)); "
                    + "the replica belongs to another server database: make a new replica")
        }
    }
}
