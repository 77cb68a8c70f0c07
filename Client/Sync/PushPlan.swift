import Foundation
import NKProtocol

/// Pure decisions of the push step: how to batch the outbox, and what each result means for it.
enum PushPlan {
    /// Keeps a push body well under the server's 8 MiB limit.
    static let maxBatchBytes = Wire.maxBodyBytes - 512 * 1024

    /// What to do with the outbox after a push.
    struct Outcome<Item: PushedItem> {
        /// Versions the server holds (applied, unchanged or conflict): they leave the outbox if still held.
        var acknowledged: [Item] = []
        /// Versions the server refused: kept in `rejected`, dropped, their record fetched again.
        var rejected: [Rejected<Item>] = []
    }

    struct Rejected<Item: PushedItem> {
        var version: Item
        var code: ErrorCode
        var message: String
    }

    /// What a rejection the server gave no code for is kept as.
    static let uncodedRejection = ErrorCode(rawValue: "rejected")

    /// The first batch of the outbox: posts before annotations, at most `maxCount` versions and
    /// about `maxBytes` of JSON (always at least one version).
    static func batch<Item: PushedItem>(
        _ pending: [Item], maxCount: Int = Wire.maxPushBatch, maxBytes: Int = maxBatchBytes,
        size: (Item) -> Int
    ) -> [Item] {
        let ordered = pending.enumerated().sorted { ($0.element.type, $0.offset) < ($1.element.type, $1.offset) }
        var batch: [Item] = []
        var bytes = 0
        for (_, version) in ordered {
            guard batch.count < maxCount else { break }
            let cost = size(version)
            if !batch.isEmpty && bytes + cost > maxBytes { break }
            batch.append(version)
            bytes += cost
        }
        return batch
    }

    /// What a push result is matched by: the record and the vector.
    private struct Key: Hashable {
        var type: RecordType
        var id: String
        var vector: VersionVector
    }

    /// A version as it is pushed: the server sets `editor` from the token.
    static func wireVersion(_ version: RecordVersion) -> RecordVersion {
        var copy = version
        copy.editor = nil
        return copy
    }

    /// Matches the server's results to the pushed versions (by type, id and vector).
    ///
    /// - Throws: ``ClientError/Code/badResponse`` when a pushed version has no result.
    static func interpret<Item: PushedItem>(
        sent: [Item], response: PushResponse
    ) throws(ClientError) -> Outcome<Item> {
        var results: [Key: PushItemResult] = [:]
        for result in response.results {
            results[Key(type: result.type, id: result.id, vector: result.version)] = result
        }
        var outcome = Outcome<Item>()
        for version in sent {
            guard let result = results[Key(type: version.type, id: version.id, vector: version.version)] else {
                throw ClientError(
                    .badResponse, "the server's push answer has no result for \(version.type.rawValue) \(version.id)")
            }
            switch result.status {
            case .applied, .unchanged, .conflict:
                outcome.acknowledged.append(version)
            case .rejected:
                outcome.rejected.append(
                    Rejected(
                        version: version, code: result.code ?? uncodedRejection,
                        message: result.message ?? "the server refused this version"))
            }
        }
        return outcome
    }
}

/// What the push plan needs of a pushed version: its record and vector.
protocol PushedItem: Sendable {
    var type: RecordType { get }
    var id: String { get }
    var version: VersionVector { get }
}

extension RecordVersion: PushedItem {}
extension PushPlan.Outcome: Equatable where Item: Equatable {}
extension PushPlan.Outcome: Sendable {}
extension PushPlan.Rejected: Equatable where Item: Equatable {}
extension PushPlan.Rejected: Sendable {}
