import NKTestSupport

extension LiveServer {
    /// A new user `name` on this server, and a researcher whose replica is initialised for them.
    func researcher(_ name: String) throws -> Researcher {
        let token = try addUser(name)
        let researcher = try Researcher(name)
        try researcher.ok("init", "--server", url, "--token", token)
        return researcher
    }
}
