import Foundation

/// The HTTP protocol's version and its JSON coding. The only place that makes encoders and decoders
/// for the wire, so both ends agree on dates and key order.
public enum Wire {
    /// Sent as `NK-Protocol` on every request and response.
    public static let protocolVersion = 1

    /// What a client reads beyond protocol 1 as first released, sent as `NK-Features` (comma-separated)
    /// on every request. `threads`: annotations without a passage (notes on a whole post) and replies
    /// (`replyTo`). A pull for a client that does not announce it leaves those out (the page still
    /// covers their rows), since a client before them cannot decode an annotation without `anchor`.
    public static let features = ["threads"]

    /// Largest request body the server accepts, in bytes.
    public static let maxBodyBytes = 8 * 1024 * 1024
    /// Most versions in one push.
    public static let maxPushBatch = 500
    /// Default and largest page of a pull.
    public static let defaultPullLimit = 500
    public static let maxPullLimit = 1000

    public static func makeEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = WireDate.encodingStrategy
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    public static func makeDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = WireDate.decodingStrategy
        return decoder
    }
}

/// `POST /v1/push`: versions written on a replica, not yet acknowledged by the server.
public struct PushRequest: Codable, Hashable, Sendable {
    /// The replica that pushes. The server binds a replica id to the first user that pushes with it.
    public var replica: ReplicaID
    public var versions: [RecordVersion]

    public init(replica: ReplicaID, versions: [RecordVersion]) {
        self.replica = replica
        self.versions = versions
    }
}

/// What the server did with one pushed version.
public enum PushStatus: String, Codable, Hashable, Sendable {
    /// Stored: it replaced every version it dominates.
    case applied
    /// Already held, or dominated by a held version: nothing changed. A replayed push gets this.
    case unchanged
    /// Stored beside concurrent versions: the record is in conflict.
    case conflict
    /// Not stored, for the reason in `code` and `message`. The rest of the batch still applied.
    case rejected
}

public struct PushItemResult: Codable, Hashable, Sendable {
    public var type: RecordType
    public var id: String
    public var version: VersionVector
    public var status: PushStatus
    /// A stable code for a rejection (``ErrorCode/itemRejections``: `forbidden`, `invalid_record`, ...).
    public var code: ErrorCode?
    public var message: String?

    public init(
        type: RecordType, id: String, version: VersionVector, status: PushStatus,
        code: ErrorCode? = nil, message: String? = nil
    ) {
        self.type = type
        self.id = id
        self.version = version
        self.status = status
        self.code = code
        self.message = message
    }
}

/// The answer to a push: one result per pushed version, in the order of the request.
public struct PushResponse: Codable, Hashable, Sendable {
    public var results: [PushItemResult]
    public init(results: [PushItemResult]) { self.results = results }
}

/// A version the requesting user may not read (for example an annotation made private).
/// The replica drops every version of that record that this vector dominates.
public struct HiddenVersion: Codable, Hashable, Sendable {
    public var type: RecordType
    public var id: String
    public var version: VersionVector

    public init(type: RecordType, id: String, version: VersionVector) {
        self.type = type
        self.id = id
        self.version = version
    }
}

/// One entry of the change sequence: a stored version, or a hidden one.
public struct Change: Codable, Hashable, Sendable {
    /// Position in the server's change sequence.
    public var seq: Int64
    public var record: RecordVersion?
    public var hidden: HiddenVersion?

    public init(seq: Int64, record: RecordVersion) {
        self.seq = seq
        self.record = record
        self.hidden = nil
    }

    public init(seq: Int64, hidden: HiddenVersion) {
        self.seq = seq
        self.record = nil
        self.hidden = hidden
    }
}

/// `GET /v1/changes?since=SEQ&limit=N`: a page of the change sequence after `since`.
public struct PullResponse: Codable, Hashable, Sendable {
    public var changes: [Change]
    /// The cursor to pull from next: the last sequence number this page covered.
    public var next: Int64
    /// True when more changes follow `next`.
    public var more: Bool
    /// The newest sequence number the server had given when it wrote the page (absent from servers
    /// older than this field). A client bounds one sync's pull with it.
    public var latest: Int64?
    /// When the request named the pulling replica (`replica=ID`, a replica of the token's user):
    /// the highest counter of that replica in any version the server has accepted from it. A
    /// replica that never sent that counter is not the only one using its id (DESIGN.md, "Own
    /// counters").
    public var replicaHighWater: UInt64?

    public init(
        changes: [Change], next: Int64, more: Bool, latest: Int64? = nil, replicaHighWater: UInt64? = nil
    ) {
        self.changes = changes
        self.next = next
        self.more = more
        self.latest = latest
        self.replicaHighWater = replicaHighWater
    }
}

/// `GET /v1/records/{type}/{id}`: every current version of one record that the user may read.
public struct RecordResponse: Codable, Hashable, Sendable {
    public var versions: [RecordVersion]
    public init(versions: [RecordVersion]) { self.versions = versions }
}

/// `GET /v1/me`: who the token belongs to.
public struct MeResponse: Codable, Hashable, Sendable {
    public var user: String
    public var readOnly: Bool
    public init(user: String, readOnly: Bool) {
        self.user = user
        self.readOnly = readOnly
    }
}

/// `GET /health` and `GET /ready`.
public struct HealthResponse: Codable, Hashable, Sendable {
    /// `ok`, or `unavailable` (with status 503 and a ``reason``).
    public var status: String
    public var protocolVersion: Int
    /// The server's release (``Release/version``); nil from a server before it was sent.
    public var version: String?
    /// Why the server is not healthy or ready; nil when it is.
    public var reason: String?

    public init(
        status: String = "ok", protocolVersion: Int = Wire.protocolVersion, version: String? = Release.version,
        reason: String? = nil
    ) {
        self.status = status
        self.protocolVersion = protocolVersion
        self.version = version
        self.reason = reason
    }
}

/// The body of every error response: `{"error": {"code": "stable_code", "message": "..."}}`.
public struct ErrorResponse: Codable, Hashable, Sendable, Error {
    public struct Detail: Codable, Hashable, Sendable {
        /// One of ``ErrorCode/requestErrors``, or a code of a newer server.
        public var code: ErrorCode
        public var message: String
    }

    public var error: Detail

    public init(code: ErrorCode, message: String) {
        self.error = Detail(code: code, message: message)
    }
}

/// `GET /v1/wait?since=SEQ&timeout=SECONDS`: a long poll that answers as soon as the change sequence
/// has moved past `since` (or when the timeout, at most ``Wire/maxWaitSeconds``, runs out). It only
/// says that something changed; the data still travels through `GET /v1/changes`.
public struct WaitResponse: Codable, Hashable, Sendable {
    /// True when there are changes after `since`.
    public var changed: Bool
    /// The newest sequence number the server has issued.
    public var latest: Int64

    public init(changed: Bool, latest: Int64) {
        self.changed = changed
        self.latest = latest
    }
}

extension Wire {
    /// Default and longest wait of `GET /v1/wait`, in seconds.
    public static let defaultWaitSeconds = 25
    public static let maxWaitSeconds = 60
}
