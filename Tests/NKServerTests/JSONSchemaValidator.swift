import Foundation

/// A JSON-Schema validator for the subset the OpenAPI document uses: `type` (a name or a list,
/// `null` included), `properties`, `required`, `items`, `enum`, `additionalProperties` and `$ref`
/// to `#/components/...`.
struct JSONSchemaValidator {
    /// The whole document, for `$ref`.
    let root: [String: Any]

    /// Every way `value` breaks `schema`, each with its JSON path; empty when it conforms.
    func errors(_ value: Any, _ schema: [String: Any], at path: String = "$") -> [String] {
        if let ref = schema["$ref"] as? String {
            guard let target = resolve(ref) else { return ["\(path): unresolvable $ref \(ref)"] }
            return errors(value, target, at: path)
        }
        var found: [String] = []
        if let type = schema["type"] {
            let names = (type as? [String]) ?? [(type as? String) ?? ""]
            if !names.contains(where: { Self.matches(value, type: $0) }) {
                return ["\(path): expected \(names.joined(separator: "|")), got \(Self.describe(value))"]
            }
        }
        if let allowed = schema["enum"] as? [Any],
            !allowed.contains(where: { ($0 as? NSObject)?.isEqual(value) == true })
        {
            found.append("\(path): \(value) is not one of \(allowed)")
        }
        if let object = value as? [String: Any] {
            let properties = schema["properties"] as? [String: Any] ?? [:]
            for name in schema["required"] as? [String] ?? [] where object[name] == nil {
                found.append("\(path): missing required '\(name)'")
            }
            for (key, item) in object {
                if let property = properties[key] as? [String: Any] {
                    found += errors(item, property, at: "\(path).\(key)")
                } else if let extra = schema["additionalProperties"] {
                    if let allowed = extra as? Bool, !allowed {
                        found.append("\(path): unexpected property '\(key)'")
                    } else if let extraSchema = extra as? [String: Any] {
                        found += errors(item, extraSchema, at: "\(path).\(key)")
                    }
                }
            }
        }
        if let array = value as? [Any], let items = schema["items"] as? [String: Any] {
            for (index, item) in array.enumerated() {
                found += errors(item, items, at: "\(path)[\(index)]")
            }
        }
        return found
    }

    func resolve(_ ref: String) -> [String: Any]? {
        guard ref.hasPrefix("#/") else { return nil }
        var node: Any = root
        for part in ref.dropFirst(2).split(separator: "/") {
            guard let next = (node as? [String: Any])?[String(part)] else { return nil }
            node = next
        }
        return node as? [String: Any]
    }

    static func matches(_ value: Any, type: String) -> Bool {
        switch type {
        case "null": return value is NSNull
        case "object": return value is [String: Any]
        case "array": return value is [Any]
        case "string": return value is String
        case "boolean": return isBool(value)
        case "integer":
            guard !isBool(value), let number = value as? NSNumber else { return false }
            return number.doubleValue == number.doubleValue.rounded()
        case "number": return !isBool(value) && value is NSNumber
        default: return false
        }
    }

    private static func isBool(_ value: Any) -> Bool {
        guard let number = value as? NSNumber else { return false }
        return String(cString: number.objCType) == "c" || type(of: value) == Bool.self
    }

    private static func describe(_ value: Any) -> String {
        value is NSNull ? "null" : String(describing: type(of: value))
    }
}
