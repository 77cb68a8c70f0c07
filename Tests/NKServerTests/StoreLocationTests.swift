import NKTestTraits
import Testing

@testable import NKServer

@Suite("Store locations: --store and --db", .tags(.unit))
struct StoreLocationTests {
    @Test func aPostgresURLIsParsedWithItsDefaults() throws {
        let url = try PostgresURL("postgres://nk@db.example.org/nksync", environment: [:])
        #expect(url.user == "nk" && url.host == "db.example.org" && url.database == "nksync")
        #expect(url.port == 5432 && url.password == nil && url.tls == .prefer)
        #expect(url.redacted == "postgres://nk@db.example.org:5432/nksync")
    }

    @Test func aPasswordComesFromTheURLOrPGPASSWORDAndIsNeverShown() throws {
        let inURL = try PostgresURL("postgresql://nk:s%40cret@127.0.0.1:6543/db?sslmode=disable", environment: [:])
        #expect(inURL.password == "s@cret" && inURL.port == 6543 && inURL.tls == .disable)
        #expect(!inURL.redacted.contains("cret") && !inURL.description.contains("cret"))
        let fromEnvironment = try PostgresURL("postgres://nk@h/db", environment: ["PGPASSWORD": "pw"])
        #expect(fromEnvironment.password == "pw")
    }

    @Test(arguments: [
        ("postgres://db.example.org/nksync", "no user name"),
        ("postgres://nk@db.example.org", "no database name"),
        ("postgres://nk@db.example.org:70000/db", "port"),
        ("postgres://nk@h/db?sslmode=maybe", "sslmode"),
        ("postgres://nk@h/db?schema=x", "unknown parameter 'schema'"),
        ("postgres:nk@h/db", "postgres://USER@HOST:PORT/DATABASE"),
        ("sqlite:", "needs a file path"),
    ])
    func aMalformedStoreIsABadRequestSayingWhatIsWrong(text: String, why: String) {
        let error = #expect(throws: ServerError.self) { try StoreLocation(parsing: text) }
        #expect(error?.code == .badRequest)
        #expect(error?.message.contains(why) == true, "\(error?.message ?? "")")
    }

    @Test func sqliteIsAPathWithOrWithoutItsPrefix() throws {
        #expect(try StoreLocation(parsing: "sqlite:/tmp/a.sqlite") == .sqlite(path: "/tmp/a.sqlite"))
        #expect(try StoreLocation(parsing: "./team.sqlite") == .sqlite(path: "./team.sqlite"))
        #expect(try StoreLocation(parsing: "postgres://nk@h:1/db").description == "postgres://nk@h:1/db")
    }
}
