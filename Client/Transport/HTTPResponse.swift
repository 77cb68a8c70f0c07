import Foundation

/// The status, header fields and body of an HTTP response.
public struct HTTPResponse: Sendable, Hashable {
    public var status: Int
    /// Header fields of the final response, names lowercased (the last value wins).
    public var headers: [String: String]
    public var body: Data

    public init(status: Int, headers: [String: String] = [:], body: Data = Data()) {
        self.status = status
        self.headers = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { $1 })
        self.body = body
    }

    /// The value of the header named `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        headers[name.lowercased()]
    }
}
