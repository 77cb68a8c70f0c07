import Foundation
import GRDB
import NKClient
import NKProtocol
import NKTestSupport

extension Workloads {
    // MARK: History

    /// What keeping history costs (issue 15): one replica pushes `push` new notes, then an edit of
    /// each (every edit supersedes a version, which the server moves to its history). Reports
    /// both push rates, the store's size after each and the bytes each kept version added. Run it
    /// with `--server-binary` of a build from before history to compare.
    func history() async throws -> [String: Any] {
        let count = options.push
        let server = try BenchServer(binary: options.serverBinary, label: "history", kind: options.store)
        let token = try server.addUser("editor")
        try server.admin(["import", try corpus.writeDump(in: server.folder.url)])
        try server.start()
        defer { server.stop() }
        let folder = try TemporaryFolder("nkbench-history")
        defer { folder.remove() }
        let editor = try BenchReplica(folder: folder.url, server: server.url, token: token, user: "editor")
        _ = try await editor.sync()
        var ids: [AnnotationID] = []
        ids.reserveCapacity(count)
        for index in 0..<count {
            let (post, passage) = corpus.placement(of: index)
            ids.append(
                try editor.replica.annotate(
                    post: corpus.posts[post].id.rawValue, quote: BenchCorpus.quote(post: post, passage: passage),
                    note: BenchCorpus.note(index), tags: BenchCorpus.tags(index)))
        }
        let (_, createSeconds) = try await editor.sync()
        let bytesAfterCreate = try await server.store.databaseBytes()
        for (index, id) in ids.enumerated() {
            try editor.replica.edit(id.rawValue, note: BenchCorpus.note(index) + " (revised)")
        }
        let (edits, editSeconds) = try await editor.sync()
        let bytesAfterEdit = try await server.store.databaseBytes()
        let kept = try await server.store.historyRows()
        server.stop()
        var figures: [String: Any] = [
            "store": server.store.kind.rawValue, "records": count, "editsPushed": edits.pushed,
            "historyRows": kept,
            "createRecordsPerSecond": rounded(Double(count) / createSeconds, 1),
            "editRecordsPerSecond": rounded(Double(count) / editSeconds, 1),
            "editToCreateRate": rounded(createSeconds / editSeconds),
            "databaseBytesAfterCreate": bytesAfterCreate, "databaseBytesAfterEdit": bytesAfterEdit,
            "bytesPerEdit": rounded(Double(bytesAfterEdit - bytesAfterCreate) / Double(count), 0),
        ]
        if let path = server.databasePath {
            // The history's share of the file: two vacuumed copies, one without the history table's rows.
            let (with, without) = try SQLiteHistoryShare.measure(path, in: folder)
            figures["vacuumedBytes"] = with
            figures["vacuumedBytesWithoutHistory"] = without
            figures["historyShare"] = rounded(Double(with - without) / Double(with))
            figures["historyBytesPerVersion"] = rounded(Double(with - without) / Double(max(kept, 1)), 0)
        }
        return figures
    }
}

/// The bytes a SQLite store's history takes: the file vacuumed, with and without its rows.
enum SQLiteHistoryShare {
    static func measure(_ path: String, in folder: TemporaryFolder) throws -> (with: Int, without: Int) {
        func vacuumedSize(dropHistory: Bool) throws -> Int {
            let copy = folder.path(dropHistory ? "without.sqlite" : "with.sqlite")
            try? FileManager.default.removeItem(atPath: copy)
            try DatabaseQueue(path: path).writeWithoutTransaction { db in
                try db.execute(sql: "VACUUM INTO ?", arguments: [copy])
            }
            let queue = try DatabaseQueue(path: copy)
            try queue.writeWithoutTransaction { db in
                if dropHistory, try db.tableExists("history") { try db.execute(sql: "DELETE FROM history") }
                try db.execute(sql: "VACUUM")
            }
            return try queue.read { db in
                try Int.fetchOne(db, sql: "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()")
                    ?? 0
            }
        }
        return (try vacuumedSize(dropHistory: false), try vacuumedSize(dropHistory: true))
    }
}
