import Foundation

extension DecodingError {
    /// What was wrong with a JSON body, naming the field but never echoing its value.
    var summary: String {
        switch self {
        case .keyNotFound(let key, let context):
            "missing field '\(Self.path(context.codingPath + [key]))'"
        case .typeMismatch(let type, let context):
            "field '\(Self.path(context.codingPath))' has the wrong type (expected \(Self.typeName(type)))"
        case .valueNotFound(let type, let context):
            "field '\(Self.path(context.codingPath))' is null (expected \(Self.typeName(type)))"
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            "the body is not valid JSON"
        case .dataCorrupted(let context):
            "field '\(Self.path(context.codingPath))' has an invalid value"
        @unknown default:
            "the body does not have the expected shape"
        }
    }

    /// `versions[2].annotation.note`.
    static func path(_ keys: [any CodingKey]) -> String {
        guard !keys.isEmpty else { return "(body)" }
        var text = ""
        for key in keys {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += text.isEmpty ? key.stringValue : "." + key.stringValue
            }
        }
        return text
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "string"
        case is Bool.Type: "boolean"
        case is Int.Type, is Int64.Type, is UInt64.Type, is Double.Type: "number"
        case is [Any].Type: "array"
        case is [String: Any].Type: "object"
        default: "\(type)"
        }
    }
}
