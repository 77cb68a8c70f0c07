import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import NKServer

/// Checks real responses against `Server/Resources/openapi.json`, the document the server serves.
enum OpenAPIContract {
    struct Violation: Error, CustomStringConvertible {
        var description: String
    }

    /// The served document, parsed afresh (a `[String: Any]` is not `Sendable`, so it is not cached).
    static var document: [String: Any] {
        guard let data = OpenAPIDocument.data,
            let object = try? JSONSerialization.jsonObject(with: Data(data)) as? [String: Any]
        else { return [:] }
        return object
    }

    /// The operation object of `method` on the documented `path` (`/v1/records/{type}/{id}`).
    static func operation(path: String, method: HTTPRequest.Method) -> [String: Any]? {
        ((document["paths"] as? [String: Any])?[path] as? [String: Any])?[method.rawValue.lowercased()]
            as? [String: Any]
    }

    /// Throws unless the document lists the response's status for this operation and its JSON body
    /// matches the schema given there; records an issue for every mismatch.
    static func check(_ response: TestResponse, path: String, method: HTTPRequest.Method) throws {
        guard let operation = operation(path: path, method: method) else {
            throw Violation(description: "\(method) \(path) is not documented")
        }
        let status = String(response.status.code)
        guard let documented = (operation["responses"] as? [String: Any])?[status] as? [String: Any] else {
            throw Violation(description: "\(method) \(path) does not document status \(status)")
        }
        #expect(response.headers[.init("NK-Protocol")!] == "1")
        guard
            let schema = ((documented["content"] as? [String: Any])?["application/json"] as? [String: Any])?["schema"]
                as? [String: Any]
        else {
            throw Violation(description: "\(method) \(path) \(status) has no application/json schema")
        }
        let body = try JSONSerialization.jsonObject(
            with: Data(response.body.readableBytesView), options: [.fragmentsAllowed])
        let errors = JSONSchemaValidator(root: document).errors(body, schema)
        #expect(errors.isEmpty, "\(method) \(path) \(status): \(errors.joined(separator: "; "))")
    }
}
