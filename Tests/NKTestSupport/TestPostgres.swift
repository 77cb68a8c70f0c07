import Foundation

/// The PostgreSQL server the tests may use: the one `scripts/with-postgres.sh` starts (which
/// `scripts/test.sh` wraps the tests in) and names in `NK_POSTGRES_URL`. Each test that uses it
/// creates a database of its own and drops it after.
public enum TestPostgres {
    /// The URL of the server's `postgres` database, as a superuser; nil when there is none.
    public static let adminURL: String? = {
        let url = ProcessInfo.processInfo.environment["NK_POSTGRES_URL"] ?? ""
        return url.isEmpty ? nil : url
    }()

    /// Whether PostgreSQL tests can run here.
    public static var isAvailable: Bool { adminURL != nil && psql != nil }

    /// Why PostgreSQL tests did not run, for their skip message.
    public static let unavailableReason =
        "no PostgreSQL for the tests: NK_POSTGRES_URL is not set (the postgres tier runs them: "
        + "scripts/test.sh --tier postgres, or --all, starts one with scripts/with-postgres.sh)"

    static let psql: URL? = {
        var folders: [String] = []
        if let bin = ProcessInfo.processInfo.environment["NK_POSTGRES_BIN"], !bin.isEmpty { folders.append(bin) }
        folders.append("/usr/bin")
        return folders.map { URL(fileURLWithPath: $0).appendingPathComponent("psql") }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }()

    /// Creates a new, empty database and returns its URL.
    public static func createDatabase() throws -> String {
        guard let adminURL, let psql else { throw HarnessError(unavailableReason) }
        let name = "nk_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        let result = try runCommand(
            psql, [adminURL, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", "CREATE DATABASE \(name)"])
        guard result.status == 0 else {
            throw HarnessError("cannot create the test database \(name): \(result.stderr)")
        }
        return databaseURL(name)
    }

    /// Creates a new, empty database and returns its URL, waiting for psql on a thread of its own.
    public static func createDatabase() async throws -> String {
        guard let adminURL, let psql else { throw HarnessError(unavailableReason) }
        let name = "nk_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        let result = try await runCommand(
            psql, [adminURL, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", "CREATE DATABASE \(name)"])
        guard result.status == 0 else {
            throw HarnessError("cannot create the test database \(name): \(result.stderr)")
        }
        return databaseURL(name)
    }

    /// Drops a database made by ``createDatabase()``, closing its connections first. Where this thread
    /// may not block (``BlockingWaits``: a fixture released by an async test), psql runs on a thread of
    /// its own and the drop finishes in the background.
    public static func dropDatabase(_ url: String) {
        guard let adminURL, let psql, let name = databaseName(url) else { return }
        let drop: @Sendable () -> Void = {
            _ = try? captureRun(
                psql, [adminURL, "-X", "-q", "-c", "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"], timeout: 60)
        }
        if BlockingWaits.mayBlock {
            drop()
        } else {
            Thread(block: drop).start()
        }
    }

    /// Runs one SQL statement on the database at `url` and returns psql's unaligned output.
    public static func query(_ url: String, _ sql: String) throws -> String {
        guard let psql else { throw HarnessError(unavailableReason) }
        let result = try runCommand(psql, [url, "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-c", sql])
        guard result.status == 0 else { throw HarnessError("psql failed: \(result.stderr)") }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Runs one SQL statement on the database at `url` and returns psql's unaligned output, waiting
    /// for psql on a thread of its own.
    public static func query(_ url: String, _ sql: String) async throws -> String {
        guard let psql else { throw HarnessError(unavailableReason) }
        let result = try await runCommand(psql, [url, "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-c", sql])
        guard result.status == 0 else { throw HarnessError("psql failed: \(result.stderr)") }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The URL of database `name` on the test server.
    static func databaseURL(_ name: String) -> String {
        guard let adminURL, var components = URLComponents(string: adminURL) else { return "" }
        components.path = "/" + name
        return components.string ?? ""
    }

    static func databaseName(_ url: String) -> String? {
        guard let components = URLComponents(string: url) else { return nil }
        let name = String(components.path.dropFirst())
        return name.hasPrefix("nk_test_") ? name : nil
    }
}
