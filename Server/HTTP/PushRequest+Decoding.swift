import Foundation
import NKProtocol

extension PushRequest {
    /// Decodes a push body, turning every failure into an `invalid_json` error that names the field.
    static func decode(body: Data) throws -> PushRequest {
        // JSON is UTF-8 (RFC 8259). The decoder only checks the strings it reads, so invalid bytes in
        // a key it skips were accepted: refuse the whole body instead.
        guard String(validating: body, as: UTF8.self) != nil else {
            throw ServerError(.invalidJSON, "the request body is not valid UTF-8; JSON must be UTF-8")
        }
        let decoder = Wire.makeDecoder()
        decoder.dateDecodingStrategy = Self.anyDateString
        do {
            return try decoder.decode(PushRequest.self, from: body)
        } catch let error as DecodingError {
            guard case .dataCorrupted(let context) = error, context.codingPath.isEmpty,
                let json = try? JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed])
            else {
                throw ServerError(.invalidJSON, error.summary, underlying: error)
            }
            // Foundation reports a number out of range (such as a negative counter) as invalid JSON
            // without a path; the body parses, so find the counter and name it.
            guard let field = Self.badCounterPath(in: json) else {
                throw ServerError(
                    .invalidJSON,
                    "a number in the body is out of range (offsets are whole numbers below 2^63, "
                        + "version counters whole numbers from 0 to 2^53)",
                    underlying: error)
            }
            throw ServerError(
                .invalidJSON,
                "field '\(field)' is out of range: version counters are whole numbers from 0 to 2^53",
                underlying: error)
        }
    }

    /// The server sets an annotation's `createdAt` and `updatedAt` from its own clock (docs/DESIGN.md,
    /// *Push*), so the dates a client sends are never kept: any string is accepted there, and one that
    /// is not ISO 8601 as Foundation reads it (lowercase `t`, an offset past 18 hours) no longer fails
    /// the whole push.
    private static let anyDateString = JSONDecoder.DateDecodingStrategy.custom { decoder in
        let text = try decoder.singleValueContainer().decode(String.self)
        return (try? Date.ISO8601FormatStyle().parse(text)) ?? Date(timeIntervalSince1970: 0)
    }

    /// `versions[N].version` of the first vector with a counter that is negative, not whole or past
    /// `UInt64`.
    private static func badCounterPath(in json: Any) -> String? {
        guard let versions = (json as? [String: Any])?["versions"] as? [Any] else { return nil }
        for (index, item) in versions.enumerated() {
            guard let vector = (item as? [String: Any])?["version"] as? [String: Any] else { continue }
            for value in vector.values {
                guard let number = value as? NSNumber else { continue }
                let double = number.doubleValue
                if double < 0 || double != double.rounded() || double >= 18_446_744_073_709_551_616 {
                    return "versions[\(index)].version"
                }
            }
        }
        return nil
    }
}
