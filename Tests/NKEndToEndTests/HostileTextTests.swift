import Foundation
import NKProtocol
import NKTestSupport
import NKTestTraits
import Testing

/// Text from other people and from servers never reaches a terminal raw (issue 13): hostile notes,
/// tags, titles, names and messages are written straight into the databases (the client and the
/// server refuse to write them through their APIs), and every real command's output is checked for
/// control bytes.
@Suite(.serialized, .processes, .tags(.live)) struct HostileTextTests {
    /// ESC-CSI (clear the screen), an OSC that sets the window title ended by BEL, the C1 CSI, a
    /// carriage return that would let a forged line overwrite the real one, and DEL.
    static let hostileSQL =
        "char(27) || '[2J' || char(27) || ']0;owned' || char(7) || char(155) || '31m' || char(13) "
        + "|| 'pushed 2, pulled 0' || char(127)"
    static let hostile = "\u{1B}[2J\u{1B}]0;owned\u{7}\u{9B}31m\rpushed 2, pulled 0\u{7F}"

    /// Runs SQL on an SQLite file with the `sqlite3` shell.
    static func sql(_ database: String, _ statements: String) throws {
        let result = try runCommand(URL(fileURLWithPath: "/usr/bin/sqlite3"), [database, statements], timeout: 30)
        guard result.succeeded else { throw HarnessError("sqlite3 failed: \(result)") }
    }

    /// The control characters in a command's output, newline and tab aside.
    static func rawControls(_ result: CommandResult) -> [String] {
        (result.stdout + result.stderr).unicodeScalars
            .filter { TerminalText.isControl($0) && $0 != "\n" && $0 != "\t" }
            .map { "U+" + String($0.value, radix: 16) }
    }

    @Test func noCommandPrintsARawControlCharacterFromAnotherPerson() throws {
        // Given alice and bob sharing a note they both edited (a conflict on bob's side)
        let server = try LiveServer()
        let alice = try Researcher("alice")
        let bob = try Researcher("bob")
        try alice.ok("init", "--server", server.url, "--token", try server.addUser("alice"))
        try bob.ok("init", "--server", server.url, "--token", try server.addUser("bob"))
        try alice.ok("sync")
        let post = try #require(try alice.json([PostOutput].self, "posts").first { $0.title.hasPrefix("Seafood") })
        let note = try alice.ok("annotate", post.id, "--quote", "hard currency", "--note", "first", "--tag", "t")
        try alice.ok("sync")
        try bob.ok("sync")
        try alice.ok("edit", note, "--note", "alice's")
        try bob.ok("edit", note, "--note", "bob's")
        try alice.ok("sync")
        try bob.ok("sync")
        #expect(try bob.json([ConflictOutput].self, "conflicts").count == 1)
        let pending = try bob.ok("annotate", post.id, "--quote", "hard currency", "--note", "bob's own")

        // When hostile text is written straight into bob's replica: every text of every post and
        // note, the editors, the sync log, his outbox (an invalid post id the server will quote
        // back in its rejection) and his user name
        let replica = bob.home.path("replica.sqlite")
        let h = Self.hostileSQL
        try Self.sql(
            replica,
            """
            UPDATE versions SET body = json_set(body, '$.note', 'note ' || \(h), '$.tags', json_array('tag' || \(h)),
              '$.author', 'alice' || \(h), '$.anchor.exact', 'quote' || \(h), '$.anchor.prefix', \(h))
              WHERE recordType = 'annotation' AND recordId != '\(pending)';
            UPDATE versions SET body = json_set(body, '$.postId', 'post' || \(h)) WHERE recordId = '\(pending)';
            UPDATE versions SET body = json_set(body, '$.title', 'Seafood ' || \(h), '$.source', 'wire' || \(h),
              '$.author', 'by ' || \(h), '$.editorNote', 'ed ' || \(h), '$.body[0]', 'pushed ' || \(h),
              '$.category', 'cat' || \(h), '$.date', 'date' || \(h))
              WHERE recordType = 'post';
            UPDATE versions SET editor = 'editor' || \(h) WHERE pending = 0;
            UPDATE sync_log SET title = 'title' || \(h), editor = 'e' || \(h), excerpt = 'x' || \(h);
            """)
        let configURL = bob.home.url.appendingPathComponent("config.json")
        var config = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: configURL)) as? [String: Any])
        config["user"] = "bob" + Self.hostile
        try JSONSerialization.data(withJSONObject: config).write(to: configURL)

        // Then no command prints a raw control character, on stdout or stderr
        let commands: [[String]] = [
            ["status"], ["posts"], ["read", post.id], ["notes"], ["notes", "--post", post.id], ["log"],
            ["conflicts"], ["search", "pushed"], ["search", "note"], ["export", "--format", "markdown"],
            ["edit", note, "--tag", "clean"], ["sync"], ["notes", "--json"], ["conflicts", "--json"],
            ["log", "--json"], ["search", "pushed", "--json"], ["read", post.id, "--json"],
            ["export", "--format", "w3c"],
        ]
        for command in commands {
            let result = try bob.run(command)
            #expect(Self.rawControls(result).isEmpty, "nkclient \(command.joined(separator: " ")): \(result)")
            #expect(!result.stdout.isEmpty || !result.stderr.isEmpty, "nkclient \(command[0]) printed nothing")
        }
        // The hostile text is shown, escaped, where it was
        let notes = try bob.run(["notes"])
        #expect(notes.stdout.contains(#"note \e[2J\e]0;owned\a\x9b31m\rpushed 2, pulled 0\x7f"#), "\(notes.stdout)")
        // The local edit was refused in one readable line
        let edit = try bob.run(["edit", note, "--tag", "clean"])
        #expect(edit.status != 0)
        #expect(edit.stderr.split(separator: "\n").count == 1)
        #expect(edit.stderr.contains("contains a control character"), "\(edit.stderr)")
        // The sync's rejection line quotes the server's message, escaped
        // (the outbox was pushed by the sync above; the rejection is now in the rejected table)
        #expect(try bob.json(StatusOutput.self, "status").rejected == 1)

        // And --json stays exact JSON, carrying the text as it is
        let json = try bob.json([NoteOutput].self, "notes")
        #expect(json.contains { $0.note == "note " + Self.hostile })
    }

    @Test func aRejectionLineQuotingHostileTextIsEscaped() throws {
        let server = try LiveServer()
        let bob = try Researcher("bob")
        try bob.ok("init", "--server", server.url, "--token", try server.addUser("bob"))
        try bob.ok("sync")
        let post = try #require(try bob.json([PostOutput].self, "posts").first { $0.title.hasPrefix("Seafood") })
        let pending = try bob.ok("annotate", post.id, "--quote", "hard currency", "--note", "mine")
        try Self.sql(
            bob.home.path("replica.sqlite"),
            "UPDATE versions SET body = json_set(body, '$.postId', 'p' || \(Self.hostileSQL)) WHERE recordId = '\(pending)';"
        )
        let sync = try bob.run(["sync"])
        #expect(sync.stdout.contains("rejected annotation \(pending)"), "\(sync)")
        #expect(sync.stdout.contains(#"p\e[2J\e]0;owned\a"#), "\(sync)")
        #expect(Self.rawControls(sync).isEmpty, "\(sync)")
    }

    @Test func serverNamesAndImportErrorsAreEscaped() throws {
        // Given a user and a group whose names were written straight into the server's database
        let server = try LiveServer()
        let token = try server.addUser("eve")
        let h = Self.hostileSQL
        try Self.sql(
            server.databasePath,
            """
            UPDATE users SET name = 'eve' || \(h) WHERE name = 'eve';
            INSERT INTO groups (name, createdAt) VALUES ('team' || \(h), '2024-01-01 00:00:00.000');
            INSERT INTO groupMembers (groupId, userId, addedAt)
              SELECT groups.id, users.id, '2024-01-01 00:00:00.000' FROM groups, users;
            """)

        // Then `nkclient init` shows the name escaped
        let eve = try Researcher("eve")
        let initialised = try eve.run(["init", "--server", server.url, "--token", token])
        #expect(initialised.succeeded, "\(initialised)")
        #expect(initialised.stdout.contains(#"for eve\e[2J"#))
        #expect(Self.rawControls(initialised).isEmpty, "\(initialised)")

        // And so do `nkserver user list` and `group list`
        for command in [["user", "list"], ["group", "list"]] {
            let result = try server.admin(command)
            #expect(result.succeeded, "\(result)")
            #expect(result.stdout.contains(#"\e[2J\e]0;owned\a\x9b31m\rpushed 2, pulled 0\x7f"#), "\(result)")
            #expect(Self.rawControls(result).isEmpty, "nkserver \(command.joined(separator: " ")): \(result)")
        }

        // And a name with a control character is refused in one escaped line naming what is wrong
        for command in [["user", "add", "mallory" + Self.hostile], ["group", "add", "team" + Self.hostile]] {
            let result = try server.admin(command)
            #expect(!result.succeeded)
            #expect(result.stderr.split(separator: "\n").count == 1, "\(result)")
            #expect(result.stderr.contains("name is 1 to 64 letters"), "\(result)")
            #expect(Self.rawControls(result).isEmpty, "nkserver \(command[0]) add: \(result)")
        }

        // And an import refused for a control character names the file, the post and the field,
        // in one escaped line
        let folder = try TemporaryFolder("nk-hostile-import")
        defer { folder.remove() }
        let file = folder.path("dump.txt")
        let corpus =
            "Category: Border Trade\n\nA title\u{1B}[2J\n\nPosted on 1 March 2024 by A. Writer\n\nText.\n\n[Wire]\n"
        try Data(corpus.utf8).write(to: URL(fileURLWithPath: file))
        let imported = try server.admin(["import", file])
        #expect(!imported.succeeded)
        #expect(imported.stderr.split(separator: "\n").count == 1, "\(imported)")
        #expect(imported.stderr.contains(#"\#(file): post 'A title\e[2J': the title contains a control character"#))
        #expect(Self.rawControls(imported).isEmpty, "\(imported)")

        // And the client refuses the same file in one readable line
        let local = try eve.run(["import", file])
        #expect(!local.succeeded)
        #expect(local.stderr.contains("the title contains a control character"), "\(local)")
        #expect(Self.rawControls(local).isEmpty, "\(local)")
    }
}
