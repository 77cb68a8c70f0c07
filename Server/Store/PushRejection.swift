import NKProtocol

/// Why one pushed version was refused. Thrown inside the item's savepoint, so nothing of the
/// item is kept, and reported in its result; the rest of the batch goes on.
struct PushRejection: Error, Sendable {
    /// One of ``NKProtocol/ErrorCode/itemRejections``.
    var code: ErrorCode
    var message: String

    init(_ code: ErrorCode, _ message: String) {
        self.code = code
        self.message = message
    }

    static func forbidden(_ message: String) -> PushRejection {
        PushRejection(.forbidden, message)
    }
}
