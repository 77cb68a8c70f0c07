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
        do {
            return try Wire.makeDecoder().decode(PushRequest.self, from: body)
        } catch let error as DecodingError {
            guard case .dataCorrupted(let context) = error, context.codingPath.isEmpty,
                let json = try? JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed])
            else {
                throw ServerError(.invalidJSON, error.summary, underlying: error)
            }
            // Foundation reports a number out of range (such as a negative counter) as invalid JSON
            // without a path; the body parses, so find the counter and name it.
            let field = Self.badCounterPath(in: json) ?? "a number"
            throw ServerError(
                .invalidJSON,
                "field '\(field)' is out of range: version counters are whole numbers from 0 to 2^53",
                underlying: error)
        }
    }

    /// `versions[N].version` of the first vector with a counter that is negative or not whole.
    private static func badCounterPath(in json: Any) -> String? {
        guard let versions = (json as? [String: Any])?["versions"] as? [Any] else { return nil }
        for (index, item) in versions.enumerated() {
            guard let vector = (item as? [String: Any])?["version"] as? [String: Any] else { continue }
            for value in vector.values {
                guard let number = value as? NSNumber else { continue }
                let double = number.doubleValue
                if double < 0 || double != double.rounded() {
                    return "versions[\(index)].version"
                }
            }
        }
        return nil
    }
}
