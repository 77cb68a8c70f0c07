import NKProtocol

/// Why a client operation failed: a stable ``Code`` and a message for the user.
///
/// Messages never carry note texts or tokens. Errors of dependencies (GRDB, libcurl) are wrapped
/// here and never appear in a public signature.
public struct ClientError: Error, Sendable, CustomStringConvertible {
    /// A stable error code. New codes may be added.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case noReplica = "no_replica"
            case replicaExists = "replica_exists"
            case notFound = "not_found"
            case ambiguousID = "ambiguous_id"
            case invalidInput = "invalid_input"
            case notAllowed = "not_allowed"
            case notInConflict = "not_in_conflict"
            case inConflict = "in_conflict"
            case unreachable
            case unauthorized
            case forbidden
            case rejectedByServer = "rejected_by_server"
            case serverError = "server_error"
            case rateLimited = "rate_limited"
            case badResponse = "bad_response"
            case storage
            case configuration
            case staleReplica = "stale_replica"
            case incompatibleServer = "incompatible_server"
            case insecureTransport = "insecure_transport"
            case untrustedServer = "untrusted_server"
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The home folder holds no replica.
        public static let noReplica = Code(.noReplica)
        /// `init` found a replica and was not told to replace it.
        public static let replicaExists = Code(.replicaExists)
        /// No record has this id (or id prefix).
        public static let notFound = Code(.notFound)
        /// An id prefix matches more than one record.
        public static let ambiguousID = Code(.ambiguousID)
        /// The input is not acceptable (an invalid field, a quote that is not in the post, ...).
        public static let invalidInput = Code(.invalidInput)
        /// The local user may not do this (for example delete another researcher's note).
        public static let notAllowed = Code(.notAllowed)
        /// `resolve` was asked for a record that has no siblings.
        public static let notInConflict = Code(.notInConflict)
        /// The record is in conflict: settle it with `resolve` before editing it this way.
        public static let inConflict = Code(.inConflict)
        /// The server could not be reached (refused, timed out, unknown host, connection lost).
        public static let unreachable = Code(.unreachable)
        /// The server rejected the token (HTTP 401).
        public static let unauthorized = Code(.unauthorized)
        /// The server refused the request (HTTP 403).
        public static let forbidden = Code(.forbidden)
        /// The server refused the request with another 4xx status.
        public static let rejectedByServer = Code(.rejectedByServer)
        /// The server kept answering 429 (too many requests) after every retry.
        public static let rateLimited = Code(.rateLimited)
        /// The server failed (HTTP 5xx).
        public static let serverError = Code(.serverError)
        /// The server's answer could not be understood.
        public static let badResponse = Code(.badResponse)
        /// The local database failed.
        public static let storage = Code(.storage)
        /// `config.json` is missing, unreadable or invalid.
        public static let configuration = Code(.configuration)
        /// The server holds edits of this replica that the replica did not make (or does not
        /// remember): a folder restored from an older copy, or a server that is not honest.
        /// `nkclient new-replica` carries on under a new replica id.
        public static let staleReplica = Code(.staleReplica)
        /// The server speaks another protocol version (its `NK-Protocol` header).
        public static let incompatibleServer = Code(.incompatibleServer)
        /// Not sent: the token would travel over plain `http://` to a host other than this
        /// computer, and the configuration does not allow it (`init --insecure-http`).
        public static let insecureTransport = Code(.insecureTransport)
        /// The server's TLS certificate failed verification (another host name, a CA not trusted
        /// here, expired); nothing was sent.
        public static let untrustedServer = Code(.untrustedServer)

        public var description: String { base.rawValue }
    }

    /// What kind of failure this is.
    public var code: Code
    /// What happened and, where possible, what to do.
    public var message: String
    /// The server's stable error code, for errors the server answered.
    public var serverCode: ErrorCode?
    /// The HTTP status, for errors the server answered.
    public var serverStatus: Int?
    /// Why no answer came, for errors of the transport (`connection refused`, `timed out`).
    public var transportError: TransportError?

    /// Makes an error.
    public init(_ code: Code, _ message: String, serverCode: ErrorCode? = nil) {
        self.code = code
        self.message = message
        self.serverCode = serverCode
    }

    public var description: String { message }
}

extension ClientError {
    /// Runs `body`, wrapping any error that is not already a ``ClientError`` as a storage error.
    static func wrappingStorage<T>(_ what: String, _ body: () throws -> T) throws(ClientError) -> T {
        do {
            return try body()
        } catch let error as ClientError {
            throw error
        } catch {
            throw ClientError.storage(what, error)
        }
    }
}
