/// A stable code that crosses the wire: the `code` of an error body
/// (`{"error":{"code":"read_only","message":…}}`) and of a rejected push item (`unknown_causality`).
///
/// On the wire it is the plain string. The codes this release knows are static members; a code it
/// does not know (sent by a newer server) still decodes, keeps its text and equals no member, so
/// the server may add codes without breaking older clients. Compare with the members, never with
/// strings.
public struct ErrorCode: RawRepresentable, Codable, Hashable, Sendable, CustomStringConvertible {
    /// The code as sent on the wire.
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }

    public var description: String { rawValue }

    // MARK: Error bodies (a whole request refused)

    /// A request is malformed in a way no other code describes (400).
    public static let badRequest = ErrorCode(rawValue: "bad_request")
    /// The body is not JSON of the expected shape (400).
    public static let invalidJSON = ErrorCode(rawValue: "invalid_json")
    /// The `since` cursor of a pull or wait is not a change sequence number of this server (400).
    public static let invalidCursor = ErrorCode(rawValue: "invalid_cursor")
    /// A push holds more versions than ``Wire/maxPushBatch`` (400).
    public static let batchTooLarge = ErrorCode(rawValue: "batch_too_large")
    /// The bearer token is missing, unknown or revoked (401).
    public static let unauthorized = ErrorCode(rawValue: "unauthorized")
    /// The user may not do this: a request (403), or one pushed version.
    public static let forbidden = ErrorCode(rawValue: "forbidden")
    /// The replica id belongs to another user, or is the server's own (403).
    public static let replicaMismatch = ErrorCode(rawValue: "replica_mismatch")
    /// The user is read-only: pulling works, pushing does not (403).
    public static let readOnly = ErrorCode(rawValue: "read_only")
    /// No such endpoint or record (404).
    public static let notFound = ErrorCode(rawValue: "not_found")
    /// The path exists but does not answer this method (405).
    public static let methodNotAllowed = ErrorCode(rawValue: "method_not_allowed")
    /// The request body is larger than ``Wire/maxBodyBytes`` (413).
    public static let bodyTooLarge = ErrorCode(rawValue: "body_too_large")
    /// The request body is declared as something other than JSON (415).
    public static let unsupportedMediaType = ErrorCode(rawValue: "unsupported_media_type")
    /// Too many requests; retry after `Retry-After` seconds (429).
    public static let rateLimited = ErrorCode(rawValue: "rate_limited")
    /// The server failed; never caused by the request (500).
    public static let `internal` = ErrorCode(rawValue: "internal")
    /// The server's store failed and the request was rolled back; send it again after
    /// `Retry-After` seconds (503).
    public static let unavailable = ErrorCode(rawValue: "unavailable")

    // MARK: Push items (one version refused, the rest of the batch applied)

    /// The version breaks a record limit or text rule (``ValidationFailure``), or moves an
    /// annotation to another post.
    public static let invalidRecord = ErrorCode(rawValue: "invalid_record")
    /// The version vector is malformed, or has no edit by the pushing replica.
    public static let invalidVersion = ErrorCode(rawValue: "invalid_version")
    /// The vector claims an edit of another replica that the server never stored for the record.
    public static let unknownCausality = ErrorCode(rawValue: "unknown_causality")
    /// The annotation's visibility names a group that does not exist.
    public static let unknownGroup = ErrorCode(rawValue: "unknown_group")
    /// A new annotation's post does not exist.
    public static let unknownPost = ErrorCode(rawValue: "unknown_post")
    /// A new annotation's quote is not in the current text of its post.
    public static let quoteNotFound = ErrorCode(rawValue: "quote_not_found")
    /// A new reply answers an annotation that does not exist, is deleted, or that the user cannot read.
    public static let unknownParent = ErrorCode(rawValue: "unknown_parent")

    /// Every code an error body of this release may carry.
    static let requestErrors: [ErrorCode] = [
        .badRequest, .invalidJSON, .invalidCursor, .batchTooLarge, .unauthorized, .forbidden, .replicaMismatch,
        .readOnly, .notFound, .methodNotAllowed, .bodyTooLarge, .unsupportedMediaType, .rateLimited, .internal,
        .unavailable,
    ]

    /// Every code a rejected push item of this release may carry.
    static let itemRejections: [ErrorCode] = [
        .forbidden, .invalidRecord, .invalidVersion, .unknownCausality, .unknownPost, .quoteNotFound, .unknownGroup,
        .unknownParent,
    ]
}
