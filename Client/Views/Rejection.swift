import NKProtocol

/// A pushed version the server refused, with its reason.
public struct Rejection: Encodable, Hashable, Sendable {
    public var type: RecordType
    public var id: String
    public var version: VersionVector
    /// The server's stable code (`forbidden`, `quote_not_found`, ...).
    public var code: ErrorCode
    public var message: String

    public init(type: RecordType, id: String, version: VersionVector, code: ErrorCode, message: String) {
        self.type = type
        self.id = id
        self.version = version
        self.code = code
        self.message = message
    }
}
