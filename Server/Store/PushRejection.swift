/// Why one pushed version was refused. Thrown inside the item's savepoint, so nothing of the
/// item is kept, and reported in its result; the rest of the batch goes on.
struct PushRejection: Error, Sendable {
    var code: String
    var message: String

    init(_ code: String, _ message: String) {
        self.code = code
        self.message = message
    }

    static func forbidden(_ message: String) -> PushRejection {
        PushRejection("forbidden", message)
    }
}
