import NKProtocol

/// An error of the server library: a stable code, a message that says what happened and what to do,
/// and the underlying cause when a dependency failed.
///
/// Messages never carry note texts or tokens. The HTTP layer turns the code into a status and an
/// ``NKProtocol/ErrorResponse``; the command line turns it into an exit code.
public struct ServerError: Error, Sendable, CustomStringConvertible {
    /// A stable error code. The codes of a refused request are the wire's own (``NKProtocol/ErrorCode``,
    /// sent in the error body); the others name failures of the admin commands, which never reach
    /// a client.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The code as an error body carries it.
        public let errorCode: ErrorCode

        private init(_ errorCode: ErrorCode) { self.errorCode = errorCode }
        private init(admin rawValue: String) { self.errorCode = ErrorCode(rawValue: rawValue) }

        /// The code as sent on the wire.
        public var rawValue: String { errorCode.rawValue }
        public var description: String { errorCode.rawValue }

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
        /// The user sent more requests than the rate limit allows; retry after `Retry-After` seconds.
        public static let rateLimited = Code(.rateLimited)
        /// The path exists but does not answer this method; `Allow` lists the ones it does.
        public static let methodNotAllowed = Code(.methodNotAllowed)
        /// The request body is declared as something other than JSON.
        public static let unsupportedMediaType = Code(.unsupportedMediaType)
        /// On the wire only: what a `database` error is answered with (503, `Retry-After`).
        public static let unavailable = Code(.unavailable)

        // Admin commands only.

        /// A user name is not 1 to 64 of `A-Z a-z 0-9 . _ -`.
        public static let invalidUserName = Code(admin: "invalid_user_name")
        /// A user of that name already exists.
        public static let userExists = Code(admin: "user_exists")
        /// No user of that name exists.
        public static let unknownUser = Code(admin: "unknown_user")
        /// An imported post does not meet the record limits.
        public static let invalidPost = Code(admin: "invalid_post")
        /// A corpus file is not in the blog-dump format.
        public static let invalidCorpus = Code(admin: "invalid_corpus")
        /// A file is missing, unreadable or not UTF-8 text.
        public static let unreadableFile = Code(admin: "unreadable_file")
        /// A TLS certificate or key file holds no PEM certificate or key, or the two do not match.
        public static let invalidTLS = Code(admin: "invalid_tls")
        /// The database could not be opened, migrated or written.
        public static let database = Code(admin: "database")
        /// A group name is not 1 to 64 of `A-Z a-z 0-9 . _ -`.
        public static let invalidGroupName = Code(admin: "invalid_group_name")
        /// A group of that name already exists.
        public static let groupExists = Code(admin: "group_exists")
        /// No group of that name exists (also the code of a pushed version that names it).
        public static let unknownGroup = Code(.unknownGroup)
        /// The user is already a member of the group.
        public static let alreadyMember = Code(admin: "already_member")
        /// The user is not a member of the group.
        public static let notMember = Code(admin: "not_member")
        /// A backup or restore would replace a file or a store that holds data.
        public static let destinationExists = Code(admin: "destination_exists")
        /// A backup file is not a sound nkserver store (or its copy failed its check).
        public static let invalidBackup = Code(admin: "invalid_backup")
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
