import Foundation
import Logging
import NKProtocol
import PostgresNIO
import ServiceLifecycle
import Synchronization

/// The store on a PostgreSQL database, for an institute whose teams outgrow one machine: several
/// `nkserver` processes may serve from the same database at once.
///
/// - Every write transaction first locks the one row of `nk_sequence` (`SELECT … FOR UPDATE`) and
///   numbers its versions from it, so writes are serialised across every process and sequence
///   numbers are given in commit order: a client that has seen number N never later meets a
///   change numbered below N (see `docs/DESIGN.md`, "Stores").
/// - A commit that adds changes sends `NOTIFY nk_changes`; each process LISTENs on its own
///   connection and wakes its long polls, whichever process committed.
///
/// The store is a `Service`: its connection pool and its LISTEN connection work while ``run()``
/// runs. A server hands it to the application's service group (`Application(services:)`), which
/// starts it before the HTTP server and stops it after the server has drained its requests; a
/// command without a server uses ``withStore(url:logger:_:)``, which runs it around a body.
public final class PostgresStore: ServerStore, Service {
    public let serverReplicaID: ReplicaID
    let url: PostgresURL
    let client: PostgresClient
    let logger: Logger
    /// Wakes the long polls: on this process's commits and on every `nk_changes` notification.
    let changeNotifier = ChangeNotifier()
    /// Post texts by the sequence number of their version, for checking quotes.
    let postTexts = PostTextCache()

    static let notificationChannel = "nk_changes"

    private init(serverReplicaID: ReplicaID, url: PostgresURL, client: PostgresClient, logger: Logger) {
        self.serverReplicaID = serverReplicaID
        self.url = url
        self.client = client
        self.logger = logger
    }

    /// Connects to the database at `url` and brings its schema up to date. The store answers
    /// nothing until ``run()`` runs (a request waits for it at most ``connectionWait``).
    ///
    /// - Throws: ``ServerError`` `database` when the database cannot be reached or migrated.
    public static func open(url: PostgresURL, logger: Logger = Logger(label: "nkserver.postgres")) async throws
        -> PostgresStore
    {
        // One connection first, to fail fast and clearly on a wrong URL (the pool would retry for
        // a minute), and to migrate.
        let serverReplicaID = try await wrap(url: url) {
            let connection = try await PostgresConnection.connect(
                configuration: try url.connectionConfiguration(), id: 0, logger: logger)
            do {
                let id = try await PostgresMigrations.migrate(connection, logger: logger)
                try await connection.close()
                return id
            } catch {
                try? await connection.close()
                throw error
            }
        }
        // The pool reports each failed connection attempt at `info`, and warns when it is used a moment
        // before its run loop starts (it waits for it): errors only.
        var poolLogger = logger
        poolLogger.logLevel = max(logger.logLevel, .error)
        let client = PostgresClient(configuration: url.clientConfiguration, backgroundLogger: poolLogger)
        return PostgresStore(serverReplicaID: serverReplicaID, url: url, client: client, logger: logger)
    }

    /// Runs the connection pool and the LISTEN connection until the task is cancelled or its service
    /// group shuts down gracefully; then every connection is closed and the store answers nothing.
    /// Runs once per store.
    public func run() async {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.client.run() }
            group.addTask {
                await cancelWhenGracefulShutdown {
                    await Self.listen(url: self.url, notifier: self.changeNotifier, logger: self.logger)
                }
            }
        }
    }

    /// Opens the store, runs it (``run()``) while `body` runs with it, and closes it, whether
    /// `body` returns or throws: for the admin commands, which use a store without a server.
    public static func withStore<Result: Sendable>(
        url: PostgresURL, logger: Logger = Logger(label: "nkserver.postgres"),
        _ body: (PostgresStore) async throws -> Result
    ) async throws -> Result {
        let store = try await open(url: url, logger: logger)
        return try await withThrowingTaskGroup(of: Void.self, returning: Result.self) { group in
            group.addTask { await store.run() }
            // Cancelling the group ends run(), which closes the connections; the group waits for it.
            defer { group.cancelAll() }
            return try await body(store)
        }
    }

    /// Announces every `nk_changes` notification to the long polls, on a connection of its own,
    /// reconnecting (after a second) when it drops, until the task is cancelled. The long polls
    /// re-read the sequence on their own interval meanwhile, so a lost connection only delays them.
    private static func listen(url: PostgresURL, notifier: ChangeNotifier, logger: Logger) async {
        var connectionID = 1
        while !Task.isCancelled {
            do {
                let connection = try await PostgresConnection.connect(
                    configuration: try url.connectionConfiguration(), id: connectionID, logger: logger)
                connectionID += 1
                do {
                    try await connection.listen(on: Self.notificationChannel) { notifications in
                        for try await _ in notifications { await notifier.announce() }
                    }
                } catch {
                    if !Task.isCancelled {
                        logger.warning("LISTEN connection lost: \(String(reflecting: error))")
                    }
                }
                try? await connection.close()
            } catch {
                if !Task.isCancelled {
                    logger.warning("cannot open the LISTEN connection: \(String(reflecting: error))")
                }
            }
            try? await Task.sleep(for: .seconds(1))
        }
    }

    /// Wraps dependency errors so no PostgresNIO type leaves the store: a ``ServerError`` thrown
    /// inside a transaction comes out as itself, a database error as `database`.
    func wrap<T>(_ operation: () async throws -> T) async throws -> T {
        do {
            return try await operation()
        } catch {
            throw Self.storeError(error)
        }
    }

    static func storeError(_ error: any Error) -> ServerError {
        switch cause(of: error) {
        case let error as ServerError:
            return error
        case is DecodingError:
            // A stored row that no longer decodes: the server's fault, never the request's.
            return ServerError(.internal, "internal error in the store", underlying: error)
        case let cause as PSQLError:
            return ServerError(.database, "database error: \(oneLine(cause))", underlying: error)
        case let cause:
            // The connection pool's own errors (no connection could be made for a while: the
            // database is down or refuses connections) and the network's.
            return ServerError(.database, "database unavailable: \(oneLine(cause))", underlying: error)
        }
    }

    private static func wrap<T>(url: PostgresURL, _ operation: () async throws -> T) async throws -> T {
        do {
            return try await operation()
        } catch {
            let cause = cause(of: error)
            if let failure = cause as? ServerError { throw failure }
            throw ServerError(
                .database, "cannot open the PostgreSQL database \(url.redacted): \(oneLine(cause))", underlying: error)
        }
    }

    /// What failed inside a transaction (postgres-nio wraps it), or the error itself.
    private static func cause(of error: any Error) -> any Error {
        guard let transaction = error as? PostgresTransactionError else { return error }
        return transaction.closureError ?? transaction.beginError ?? transaction.commitError ?? error
    }

    /// The error in one line: PostgreSQL's message and SQLSTATE, or the error's own description.
    private static func oneLine(_ error: any Error) -> String {
        if let error = error as? PSQLError { return describe(error) }
        return String(describing: error).split(whereSeparator: \.isNewline).joined(separator: " ")
    }

    /// One line: the server's message and SQLSTATE, or what went wrong with the connection.
    static func describe(_ error: PSQLError) -> String {
        if let message = error.serverInfo?[.message] {
            let state = error.serverInfo?[.sqlState].map { " (SQLSTATE \($0))" } ?? ""
            return message + state
        }
        if let underlying = error.underlying {
            return "\(error.code): \(underlying)"
        }
        return "\(error.code)"
    }

    /// Runs `body` in a write transaction that holds the lock on the change sequence, and returns
    /// its result and whether it numbered changes. `body` numbers new versions with `numbers.next()`.
    func write<Result: Sendable>(
        _ body: @escaping @Sendable (PostgresConnection, SequenceNumbers) async throws -> Result
    ) async throws -> (result: Result, numbered: Bool) {
        let logger = logger
        return try await withPooledConnection { connection in
            try await connection.withTransaction(logger: logger) { connection in
                let rows = try await connection.query(
                    "SELECT last FROM nk_sequence WHERE id = 1 FOR UPDATE", logger: logger)
                var last: Int64 = 0
                for try await value in rows.decode(Int64.self) { last = value }
                let numbers = SequenceNumbers(last: last)
                let result = try await body(connection, numbers)
                let numbered = numbers.last != last
                if numbered {
                    try await connection.query(
                        "UPDATE nk_sequence SET last = \(numbers.last) WHERE id = 1", logger: logger)
                    try await connection.query(
                        "SELECT pg_notify(\(Self.notificationChannel), \(String(numbers.last)))", logger: logger)
                }
                return (result, numbered)
            }
        }
    }

    /// Runs `body` on a pooled connection outside any explicit transaction.
    func read<Result: Sendable>(
        _ body: @escaping @Sendable (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        try await withPooledConnection(body)
    }

    /// How long a request waits for a pooled connection before it is answered 503. The pool itself
    /// would queue it for a minute while it cannot connect (postgres-nio's circuit breaker).
    static let connectionWait: Duration = .seconds(10)

    /// Runs `body` on a pooled connection; fails with `database` when none is had within
    /// ``connectionWait`` (the database is down or refuses connections). Once `body` has its
    /// connection it runs to its end, however long it takes (an import, a migration).
    func withPooledConnection<Result: Sendable>(
        _ body: @escaping @Sendable (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        let client = client
        let started = StartedFlag()
        return try await wrap {
            try await withThrowingTaskGroup(of: Result?.self) { group in
                group.addTask {
                    try await client.withConnection { connection in
                        started.set()
                        return try await body(connection)
                    }
                }
                group.addTask {
                    try await Task.sleep(for: Self.connectionWait)
                    guard started.isSet else {
                        throw ServerError(
                            .database, "no database connection within \(Self.connectionWait): is PostgreSQL up?")
                    }
                    return nil
                }
                while let next = try await group.next() {
                    if let result = next {
                        group.cancelAll()
                        return result
                    }
                }
                throw CancellationError()
            }
        }
    }
}

/// Set once, read from any task.
final class StartedFlag: Sendable {
    private let value = Mutex(false)

    func set() { value.withLock { $0 = true } }
    var isSet: Bool { value.withLock { $0 } }
}

/// The sequence numbers a write transaction gives, from the locked `nk_sequence` row. Not
/// `Sendable`: one transaction numbers its versions in order, in the task that runs it.
final class SequenceNumbers {
    private(set) var last: Int64

    init(last: Int64) {
        self.last = last
    }

    /// The next number, in commit order.
    func next() -> Int64 {
        last += 1
        return last
    }

    /// Moves on to `number` without giving the numbers between (importing a store's contents).
    func advance(to number: Int64) {
        last = max(last, number)
    }
}
