import Foundation

/// One HTTP request, as the sync engine hands it to a ``Transport``.
public struct HTTPRequest: Sendable {
    /// The request methods the protocol uses.
    public enum Method: String, Sendable, Hashable {
        case get = "GET"
        case post = "POST"
    }

    public var method: Method
    /// The absolute URL, `http://host:port/v1/...`.
    public var url: String
    /// Header fields, in order.
    public var headers: [(name: String, value: String)]
    /// The body, for a POST.
    public var body: Data?

    public init(method: Method, url: String, headers: [(name: String, value: String)] = [], body: Data? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }

    /// The value of the first header named `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}
