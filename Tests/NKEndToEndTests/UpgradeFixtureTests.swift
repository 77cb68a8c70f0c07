import Foundation
import NKTestSupport
import NKTestTraits
import Testing

/// Every shipped schema opens with the current code and loses nothing (issue 19).
///
/// Each folder of `Tests/Fixtures` holds a server database and researchers' replicas written by the
/// binaries of an earlier commit, and the manifest that `make-fixtures.sh` read from them. The
/// current `nkserver` and `nkclient` open copies of them (running their migrations), must find
/// every record as it was, and then sync them to one state. A database that a newer program wrote
/// is refused, untouched.
@Suite(.serialized, .processes, .tags(.live, .postgres)) struct UpgradeFixtureTests {
    static let postgres = Comment(rawValue: TestPostgres.unavailableReason)

    @Test func theFixturesAreThere() throws {
        // An empty Tests/Fixtures would make every test below pass without running.
        #expect(UpgradeFixture.all.map(\.name).contains("schema1-5cd0e17"))
        for fixture in UpgradeFixture.all {
            let manifest = try fixture.manifest()
            #expect(!manifest.replicas.isEmpty && !manifest.server.versions.isEmpty, "\(fixture)")
            #expect(fixture.name.hasSuffix(String(manifest.commit.prefix(7))), "\(fixture) names another commit")
        }
    }

    @Test(arguments: UpgradeFixture.all) func theSQLiteStoreAndItsReplicasUpgradeAndSync(_ fixture: UpgradeFixture)
        throws
    {
        try upgradeAndSync(fixture, store: .sqlite)
    }

    @Test(.enabled(if: TestPostgres.isAvailable, postgres), arguments: UpgradeFixture.all)
    func thePostgreSQLStoreAndItsReplicasUpgradeAndSync(_ fixture: UpgradeFixture) throws {
        try upgradeAndSync(fixture, store: .postgres)
    }

    @Test(arguments: UpgradeFixture.all) func aReplicaANewerNkclientMigratedIsRefusedAndLeftAsItWas(
        _ fixture: UpgradeFixture
    ) throws {
        for replica in try fixture.manifest().replicas {
            let researcher = try Researcher(replica.folder)
            let database = try copyReplica(fixture, replica, into: researcher, server: "http://127.0.0.1:1")
            _ = try SQLiteShell.rows(
                database, "INSERT INTO grdb_migrations (identifier) VALUES ('v999-from-a-newer-nkclient')",
                readOnly: false)
            let before = try Data(contentsOf: URL(fileURLWithPath: database))

            for command in [["status"], ["notes"], ["sync"], ["annotate", "0", "--quote", "x"]] {
                let result = try researcher.run(command)
                #expect(result.status != 0, "nkclient \(command[0]) on \(replica.folder): \(result)")
                let lines = result.stderr.split(separator: "\n")
                #expect(lines.count == 1, "\(result.stderr)")
                #expect(
                    lines.first?.hasPrefix("error: this replica was written by a newer nkclient; upgrade") == true,
                    "\(result.stderr)")
            }
            #expect(try Data(contentsOf: URL(fileURLWithPath: database)) == before, "\(replica.folder) was changed")
            #expect(walIsEmpty(database))
        }
    }

    @Test(arguments: UpgradeFixture.all) func anSQLiteStoreANewerNkserverMigratedIsRefusedAndLeftAsItWas(
        _ fixture: UpgradeFixture
    ) throws {
        let folder = try TemporaryFolder("nk-upgrade")
        defer { folder.remove() }
        let database = folder.path("server.sqlite")
        try FileManager.default.copyItem(
            at: fixture.folder.appendingPathComponent("server.sqlite"), to: URL(fileURLWithPath: database))
        _ = try SQLiteShell.rows(
            database, "INSERT INTO grdb_migrations (identifier) VALUES ('v999-from-a-newer-nkserver')", readOnly: false)
        let before = try Data(contentsOf: URL(fileURLWithPath: database))

        for command in [["serve", "--port", "0"], ["user", "list"], ["import"] + TestPaths.sampleCorpus.map(\.path)] {
            let result = try runCommand(TestPaths.nkserver, command + ["--db", database], timeout: 30)
            expectNewerDatabaseRefusal(
                result, "nkserver \(command[0])", saying: "was written by a newer nkserver; upgrade nkserver")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: database)) == before, "server.sqlite was changed")
        #expect(walIsEmpty(database))
    }

    @Test(.enabled(if: TestPostgres.isAvailable, postgres), arguments: UpgradeFixture.all)
    func aPostgreSQLStoreANewerNkserverMigratedIsRefused(_ fixture: UpgradeFixture) throws {
        let url = try restorePostgres(fixture)
        defer { TestPostgres.dropDatabase(url) }
        _ = try TestPostgres.query(
            url, "INSERT INTO nk_schema_migrations (id, applied_at) VALUES ('v999-from-a-newer-nkserver', now())")
        let snapshot =
            "SELECT (SELECT string_agg(id, ',' ORDER BY id) FROM nk_schema_migrations) || ' ' || "
            + "(SELECT last FROM nk_sequence) || ' ' || (SELECT count(*) FROM nk_versions)"
        let before = try TestPostgres.query(url, snapshot)

        for command in [["serve", "--port", "0"], ["user", "list"]] {
            let result = try runCommand(TestPaths.nkserver, command + ["--store", url], timeout: 30)
            // PostgresMigrations' own wording, older than this test.
            expectNewerDatabaseRefusal(result, "nkserver \(command[0])", saying: "it was made by a newer one")
        }
        #expect(try TestPostgres.query(url, snapshot) == before)
    }

    // MARK: - The upgrade and the sync

    func upgradeAndSync(_ fixture: UpgradeFixture, store: LiveStore) throws {
        let manifest = try fixture.manifest()
        let server = try startServer(on: fixture, store: store)
        let probe = StoreProbe(server: server, store: store)

        // Given the current nkserver has opened (and migrated) the store: it holds what it held
        try expectServerAsWritten(server, probe, manifest, store: store)

        // and the current nkclient has opened each replica: each holds what it held
        var researchers: [Researcher] = []
        for replica in manifest.replicas {
            let researcher = try Researcher(replica.folder)
            let database = try copyReplica(fixture, replica, into: researcher, server: server.url)
            try expectReplicaAsWritten(researcher, database: database, replica)
            researchers.append(researcher)
        }

        // When each syncs: the tokens still authenticate (a revoked one still does not), pending
        // versions are pushed once and leave the outbox
        var pushed = 0
        for (replica, researcher) in zip(manifest.replicas, researchers) {
            let user = try #require(manifest.user(replica.user))
            let result = try researcher.run(["sync", "--json"])
            let status = try researcher.json(UpgradeStatusOutput.self, "status")
            if user.revoked {
                #expect(result.status == 77 && result.stderr.contains("rejected the token"), "\(result)")
                #expect(status.pending == replica.pending)
            } else if user.readOnly {
                #expect(result.status == 77 && result.stderr.contains("read_only"), "\(result)")
                #expect(status.pending == replica.pending)
            } else {
                #expect(result.succeeded, "\(replica.folder): \(result)")
                let summary = try JSONDecoder().decode(SyncOutput.self, from: Data(result.stdout.utf8))
                #expect(summary.pushed == replica.pending, "\(replica.folder): \(summary)")
                #expect(status.pending == 0, "\(replica.folder)")
                pushed += summary.pushed
            }
        }
        // Then the server numbered each pushed version once, and holds each
        #expect(try probe.latestSequence() == manifest.server.latestSequence + pushed)
        let held = try probe.versions()
        for replica in manifest.replicas where manifest.user(replica.user).map({ !$0.readOnly && !$0.revoked }) == true
        {
            for version in replica.versions where version.pending {
                let copies = held.filter {
                    $0.type == version.type && $0.id == version.id && $0.vector == version.vector
                }
                #expect(
                    copies.count == 1, "\(replica.folder)'s pending \(version.type) \(version.id) \(version.vector)")
            }
        }

        // When each syncs again, every replica holds exactly what the server holds for its user
        for (replica, researcher) in zip(manifest.replicas, researchers) {
            guard let user = manifest.user(replica.user), !user.revoked else { continue }
            let result = try researcher.run(["sync", "--json"])
            if !user.readOnly {
                let summary = try JSONDecoder().decode(SyncOutput.self, from: Data(result.stdout.utf8))
                #expect(summary.pushed == 0, "\(replica.folder): \(summary)")
            }
        }
        let final = try probe.versions()
        #expect(try probe.latestSequence() == manifest.server.latestSequence + pushed)
        for (replica, researcher) in zip(manifest.replicas, researchers) {
            guard let user = manifest.user(replica.user), !user.revoked else { continue }
            let readable = Set(
                final.filter { $0.isReadable(by: user.name, groups: manifest.server.groups) }.map(\.key))
            let rows = try replicaVersions(researcher.home.path("replica.sqlite"))
            #expect(Set(rows.filter { !$0.pending }.map(\.key)) == readable, "\(replica.folder) has not converged")
            let stillPending = user.readOnly ? replica.versions.filter(\.pending) : []
            #expect(rows.filter(\.pending) == stillPending, "\(replica.folder)")
        }
    }

    /// A server on a copy of the fixture's store (SQLite), or on a new database the dump is restored into.
    func startServer(on fixture: UpgradeFixture, store: LiveStore) throws -> LiveServer {
        switch store {
        case .sqlite:
            // LiveServer starts on a new database of its own: swap in a copy of the fixture's.
            let server = try LiveServer(importSamples: false)
            server.stop()
            for suffix in ["", "-wal", "-shm"] {
                try? FileManager.default.removeItem(atPath: server.databasePath + suffix)
            }
            try FileManager.default.copyItem(
                at: fixture.folder.appendingPathComponent("server.sqlite"),
                to: URL(fileURLWithPath: server.databasePath))
            try server.start()
            return server
        case .postgres:
            let server = try LiveServer(postgresURL: try restorePostgres(fixture))
            try server.start()
            return server
        }
    }

    func expectServerAsWritten(
        _ server: LiveServer, _ probe: StoreProbe, _ manifest: UpgradeFixtureManifest, store: LiveStore
    ) throws {
        let listed = try server.admin(["user", "list"])
        #expect(listed.succeeded, "\(listed)")
        let users = listed.stdout.split(separator: "\n").dropFirst().map { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            return UpgradeFixtureManifest.User(
                name: String(fields[0]), readOnly: fields.last == "read-only", revoked: fields.contains("revoked"))
        }
        #expect(users == manifest.server.users)
        let groups = try server.admin(["group", "list", "--json"])
        #expect(
            try JSONDecoder().decode([UpgradeFixtureManifest.Group].self, from: Data(groups.stdout.utf8))
                == manifest.server.groups, "\(groups)")

        let versions = try probe.versions()
        #expect(versions.map(\.asWritten) == manifest.server.versions)
        #expect(try probe.latestSequence() == manifest.server.latestSequence)
        #expect(try probe.serverReplicaID() == manifest.server.serverReplicaID)
        let migrations = store == .sqlite ? manifest.server.sqliteMigrations : manifest.server.postgresMigrations
        #expect(try probe.migrations().isSuperset(of: migrations))
    }

    func expectReplicaAsWritten(_ researcher: Researcher, database: String, _ replica: UpgradeFixtureManifest.Replica)
        throws
    {
        let status = try researcher.json(UpgradeStatusOutput.self, "status")
        #expect(status.user == replica.user && status.replica == replica.replicaID, "\(replica.folder)")
        #expect(status.pending == replica.pending && status.conflicts == replica.conflicts, "\(replica.folder)")
        #expect(status.cursor == replica.cursor && status.rejected == replica.rejected.count, "\(replica.folder)")
        #expect(try researcher.json([ConflictOutput].self, "conflicts").count == replica.conflicts)

        #expect(try replicaVersions(database) == replica.versions, "\(replica.folder)")
        let rejected = try SQLiteShell.rows(
            database, "SELECT recordType, recordId, vector, code FROM rejected ORDER BY id"
        ).map { UpgradeFixtureManifest.Rejection(type: $0[0], id: $0[1], vector: $0[2], code: $0[3]) }
        #expect(rejected == replica.rejected, "\(replica.folder)")
        let migrations = Set(try SQLiteShell.rows(database, "SELECT identifier FROM grdb_migrations").map(\.[0]))
        #expect(migrations.isSuperset(of: replica.migrations))

        // The search index still answers from what it held, and (v5-rejected-settled) from the rejected
        // notes too, which stay outstanding: listed by `rejected`, each still shown by `notes`.
        let indexed = try SQLiteShell.rows(
            database, "SELECT COUNT(*) FROM search_rows WHERE vector NOT LIKE 'rejected:%'"
        ).first?.first
        #expect(indexed == String(replica.searchRows), "\(replica.folder)")
        let rejectedNotes = replica.rejected.filter { $0.type == "annotation" }
        let indexedRejected = try SQLiteShell.rows(
            database, "SELECT COUNT(*) FROM search_rows WHERE vector LIKE 'rejected:%'"
        ).first?.first
        #expect(indexedRejected == String(rejectedNotes.count), "\(replica.folder)")
        let listed = try researcher.json([RejectedOutput].self, "rejected")
        #expect(listed.map(\.id) == replica.rejected.map(\.id) && listed.map(\.code) == replica.rejected.map(\.code))
        let notes = Set(try researcher.json([NoteOutput].self, "notes").filter { $0.rejected != nil }.map(\.id))
        #expect(notes == Set(rejectedNotes.map(\.id)), "\(replica.folder)")
        #expect(try researcher.json([SearchHitOutput].self, "search", "Dandong").contains { $0.kind == "post" })
    }

    // MARK: - Copies of the fixture

    /// Copies a replica's files into the researcher's home, its config pointed at `server`; returns
    /// the path of the copied database.
    func copyReplica(
        _ fixture: UpgradeFixture, _ replica: UpgradeFixtureManifest.Replica, into researcher: Researcher,
        server: String
    ) throws -> String {
        let source = fixture.folder.appendingPathComponent(replica.folder)
        let database = researcher.home.path("replica.sqlite")
        try FileManager.default.copyItem(
            at: source.appendingPathComponent("replica.sqlite"), to: URL(fileURLWithPath: database))
        let configData = try Data(contentsOf: source.appendingPathComponent("config.json"))
        var config = try #require(try JSONSerialization.jsonObject(with: configData) as? [String: Any])
        config["server"] = server
        try JSONSerialization.data(withJSONObject: config, options: [.sortedKeys])
            .write(to: URL(fileURLWithPath: researcher.home.path("config.json")))
        return database
    }

    /// A new database on the tests' PostgreSQL with the fixture's dump restored into it.
    func restorePostgres(_ fixture: UpgradeFixture) throws -> String {
        let url = try TestPostgres.createDatabase()
        let psql = try #require(
            [ProcessInfo.processInfo.environment["NK_POSTGRES_BIN"] ?? "", "/usr/bin"]
                .filter { !$0.isEmpty }.map { URL(fileURLWithPath: $0).appendingPathComponent("psql") }
                .first { FileManager.default.isExecutableFile(atPath: $0.path) })
        let dump = fixture.folder.appendingPathComponent("server-postgres.sql").path
        let result = try runCommand(psql, [url, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", dump])
        guard result.succeeded else {
            TestPostgres.dropDatabase(url)
            throw HarnessError("cannot restore \(dump): \(result.stderr)")
        }
        return url
    }

    func replicaVersions(_ database: String) throws -> [UpgradeFixtureManifest.ReplicaVersion] {
        try SQLiteShell.rows(
            database,
            "SELECT recordType, recordId, vector, deleted, pending FROM versions ORDER BY recordType, recordId, vector"
        ).map {
            UpgradeFixtureManifest.ReplicaVersion(
                type: $0[0], id: $0[1], vector: $0[2], deleted: $0[3] == "1", pending: $0[4] == "1")
        }
    }

    /// One `error:` line (besides log lines) containing `phrase`, and a non-zero exit.
    func expectNewerDatabaseRefusal(_ result: CommandResult, _ what: String, saying phrase: String) {
        #expect(result.status != 0, "\(what): \(result)")
        let lines = result.stderr.split(separator: "\n").filter { !$0.contains(" info ") }
        #expect(lines.count == 1 && lines.first?.hasPrefix("error: ") == true, "\(what): \(result.stderr)")
        #expect(result.stderr.contains(phrase), "\(what): \(result.stderr)")
    }

    /// No WAL was left beside `database` with anything in it.
    func walIsEmpty(_ database: String) -> Bool {
        let attributes = try? FileManager.default.attributesOfItem(atPath: database + "-wal")
        return (attributes?[.size] as? Int ?? 0) == 0
    }
}

/// A server's store read beside the server: SQLite through sqlite3, PostgreSQL through psql.
struct StoreProbe {
    /// A version the store holds, with its author (for who may read it).
    struct Version {
        var asWritten: UpgradeFixtureManifest.ServerVersion
        var author: String?

        var type: String { asWritten.type }
        var id: String { asWritten.id }
        var vector: String { asWritten.vector }
        var key: String { "\(type) \(id) \(vector) \(asWritten.deleted)" }

        /// docs/DESIGN.md, Groups: posts, shared notes, one's own, and the notes of one's groups.
        func isReadable(by user: String, groups: [UpgradeFixtureManifest.Group]) -> Bool {
            guard type == "annotation", let visibility = asWritten.visibility else { return true }
            if visibility == "shared" || author == user { return true }
            guard visibility.hasPrefix("group:") else { return false }
            let group = visibility.dropFirst("group:".count)
            return groups.contains { $0.name == group && $0.members.contains(user) }
        }
    }

    var server: LiveServer
    var store: LiveStore

    func rows(sqlite: String, postgres: String) throws -> [[String]] {
        switch store {
        case .sqlite:
            return try SQLiteShell.rows(server.databasePath, sqlite)
        case .postgres:
            let url = try #require(server.postgresURL)
            return try TestPostgres.query(url, postgres).split(separator: "\n").map {
                $0.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            }
        }
    }

    func versions() throws -> [Version] {
        try rows(
            sqlite: """
                SELECT recordType, recordId, vector, CASE WHEN deleted THEN 1 ELSE 0 END, editor, visibility, author
                FROM versions ORDER BY recordType, recordId, vector
                """,
            postgres: """
                SELECT record_type, record_id, vector, CASE WHEN deleted THEN 1 ELSE 0 END, editor, visibility, author
                FROM nk_versions ORDER BY record_type, record_id, vector
                """
        ).map { row in
            func optional(_ text: String) -> String? { text.isEmpty ? nil : text }
            return Version(
                asWritten: UpgradeFixtureManifest.ServerVersion(
                    type: row[0], id: row[1], vector: row[2], deleted: row[3] == "1", editor: optional(row[4]),
                    visibility: optional(row[5])),
                author: optional(row[6]))
        }
    }

    func latestSequence() throws -> Int {
        let value = try rows(
            sqlite: "SELECT seq FROM sqlite_sequence WHERE name = 'versions'",
            postgres: "SELECT last FROM nk_sequence WHERE id = 1")
        return try #require(value.first.flatMap { Int($0[0]) })
    }

    func serverReplicaID() throws -> String {
        try rows(
            sqlite: "SELECT value FROM meta WHERE key = 'serverReplicaID'",
            postgres: "SELECT value FROM nk_meta WHERE key = 'serverReplicaID'"
        ).first?.first ?? ""
    }

    func migrations() throws -> Set<String> {
        Set(
            try rows(
                sqlite: "SELECT identifier FROM grdb_migrations", postgres: "SELECT id FROM nk_schema_migrations"
            ).map(\.[0]))
    }
}

/// `nkclient status --json`, with the cursor and the rejected count.
struct UpgradeStatusOutput: Decodable {
    var user: String
    var replica: String
    var pending: Int
    var conflicts: Int
    var cursor: Int
    var rejected: Int
}

struct SearchHitOutput: Decodable {
    var kind: String
    var id: String
}
