import Foundation
import NKClient
import NKProtocol
import NKTestSupport

/// Every write the harness made, by annotation id: the note texts in order (the last one must win,
/// since only the author's replica edits its own notes in these suites).
struct Ledger {
    private(set) var notes: [String: [String]] = [:]
    private(set) var count = 0
    private var counter = 0

    var allTexts: Set<String> { Set(notes.values.joined()) }

    /// A fresh, unique note text.
    mutating func text(_ label: String) -> String {
        counter += 1
        return "\(label)-w\(counter)"
    }

    mutating func record(_ id: String, _ note: String) {
        notes[id, default: []].append(note)
        count += 1
    }

    /// Makes one write on the replica in `home`: a new note on a random post, or an edit of one of `own`.
    mutating func write(
        on researcher: Researcher, quotes: [(post: String, quote: String)], own: inout [String],
        rng: inout SeededRandom
    ) throws {
        let replica = try Replica.open(home: ReplicaHome(url: researcher.home.url))
        let note = text(researcher.name)
        if !own.isEmpty, Int.random(in: 0..<3, using: &rng) == 0 {
            let id = own.randomElement(using: &rng)!
            try replica.edit(id, note: note)
            record(id, note)
        } else {
            let target = quotes.randomElement(using: &rng)!
            let id = try replica.annotate(post: target.post, quote: target.quote, note: note).rawValue
            own.append(id)
            record(id, note)
        }
    }

    /// What a database holds compared with this ledger.
    struct Check {
        var lost = 0
        var duplicated = 0
        var phantom = 0
    }

    /// Lost: a written note missing, or its last text not current. Duplicated: a note with more than
    /// one current version, or a text held under two ids. Phantom: an id or text nobody wrote.
    func check(_ held: [HeldVersion]) -> Check {
        var result = Check()
        let byId = Dictionary(grouping: held, by: \.recordId)
        let texts = allTexts
        for (id, written) in notes {
            guard let versions = byId[id] else {
                result.lost += 1
                continue
            }
            if versions.count > 1 { result.duplicated += 1 }
            if !versions.contains(where: { $0.note == written.last }) { result.lost += 1 }
        }
        for (id, versions) in byId where notes[id] == nil {
            result.phantom += versions.count
        }
        for version in held where version.note.map({ !texts.contains($0) }) ?? true {
            result.phantom += 1
        }
        let owners = Dictionary(grouping: held.compactMap { version in version.note.map { ($0, version.recordId) } }) {
            $0.0
        }
        result.duplicated += owners.values.count { Set($0.map(\.1)).count > 1 }
        return result
    }
}

/// Quotes that locate once in each post of a replica.
func uniqueQuotes(_ researcher: Researcher) throws -> [(post: String, quote: String)] {
    let replica = try Replica.open(home: ReplicaHome(url: researcher.home.url))
    var quotes: [(post: String, quote: String)] = []
    for summary in try replica.posts() {
        let text = try replica.post(summary.id.rawValue).post.text
        let scalars = Array(text.unicodeScalars)
        for start in stride(from: 0, to: max(0, scalars.count - 40), by: 97) {
            var view = String.UnicodeScalarView()
            view.append(contentsOf: scalars[start..<start + 32])
            let quote = String(view).trimmingCharacters(in: .whitespacesAndNewlines)
            guard quote.count >= 20, !quote.contains("\n") else { continue }
            if text.components(separatedBy: quote).count == 2 { quotes.append((summary.id.rawValue, quote)) }
            if quotes.count % 4 == 3 { break }
        }
    }
    guard !quotes.isEmpty else { throw HarnessError("no usable quote in the sample corpus") }
    return quotes
}

extension Ledger {
    /// Adds another ledger's writes (made on other replicas, with their own texts).
    mutating func merge(_ other: Ledger) {
        for (id, texts) in other.notes { notes[id, default: []] += texts }
        count += other.count
    }
}

/// A canonical vector text (`a:1,b:2`) as a dictionary.
func parseVector(_ text: String) -> [String: Int] {
    var vector: [String: Int] = [:]
    for entry in text.split(separator: ",") {
        guard let colon = entry.lastIndex(of: ":"), let count = Int(entry[entry.index(after: colon)...]) else {
            continue
        }
        vector[String(entry[..<colon])] = count
    }
    return vector
}

/// `a` has seen everything `b` has (after or equal).
func dominates(_ a: [String: Int], _ b: [String: Int]) -> Bool {
    b.allSatisfy { a[$0.key, default: 0] >= $0.value }
}
