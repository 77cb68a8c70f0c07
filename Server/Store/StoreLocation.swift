import Foundation
import Logging

/// Which store a server uses: an SQLite file (the default) or a PostgreSQL database.
///
/// Written as `sqlite:PATH` or a plain path, and `postgres://USER@HOST:PORT/DATABASE`.
public enum StoreLocation: Sendable, Hashable, CustomStringConvertible {
    case sqlite(path: String)
    case postgres(PostgresURL)

    /// Parses `postgres://…` (or `postgresql://…`) and `sqlite:PATH`; anything else is an SQLite path.
    ///
    /// - Throws: ``ServerError`` `bad_request` for a malformed PostgreSQL URL or an empty path.
    public init(parsing text: String) throws {
        if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") {
            self = .postgres(try PostgresURL(text))
            return
        }
        if text.hasPrefix("postgres:") || text.hasPrefix("postgresql:") {
            throw ServerError(.badRequest, "invalid PostgreSQL URL: write postgres://USER@HOST:PORT/DATABASE")
        }
        let path = text.hasPrefix("sqlite:") ? String(text.dropFirst("sqlite:".count)) : text
        guard !path.isEmpty else {
            throw ServerError(.badRequest, "the SQLite store needs a file path: sqlite:PATH")
        }
        self = .sqlite(path: path)
    }

    public var description: String {
        switch self {
        case .sqlite(let path): "sqlite:\(path)"
        case .postgres(let url): url.redacted
        }
    }

    /// Opens the store (creating an SQLite file or the PostgreSQL tables when missing, and
    /// migrating either), runs `body` with it, and closes it.
    ///
    /// - Throws: ``ServerError`` `database` when the store cannot be opened.
    public func withStore<Result: Sendable>(
        logger: Logger = Logger(label: "nkserver"), _ body: (any ServerStore) async throws -> Result
    ) async throws -> Result {
        switch self {
        case .sqlite(let path):
            return try await body(try SQLiteStore(path: path, logger: logger))
        case .postgres(let url):
            return try await PostgresStore.withStore(url: url, logger: logger) { store in try await body(store) }
        }
    }
}
