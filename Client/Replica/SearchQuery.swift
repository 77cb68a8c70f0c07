import NKProtocol

/// What a person typed into `search`, turned into an FTS5 query that SQLite always reads.
///
/// Nothing the user types reaches FTS5 as syntax: the query is folded (``FoldedText``), cut into words at
/// everything that is not a letter or a digit, and every word goes to FTS5 inside double quotes. What is
/// kept of the syntax: `"a phrase"` (typographic quotes too; an unbalanced quote runs to the end),
/// `word*` for a prefix, and `OR`, `AND`, `NOT` in capitals between two terms. Everything else (a stray
/// operator, a parenthesis, a colon, a hyphen or apostrophe in a word) is a word boundary.
///
/// The index tokenizes with FTS5's unicode61 (case and diacritics removed, punctuation a separator) and
/// stems with porter, so the query gives each term the spellings the index may hold:
///
/// - a hyphenated or dotted word is the phrase of its parts or the parts joined: `Jong-un` is
///   `"jong un" OR "jongun"`; `D.P.R.K.` folds to `dprk`;
/// - a word typed in capitals of two to five letters may be a dotted acronym: `DPRK` is
///   `"dprk" OR "d p r k"`;
/// - a capitalised word of five letters or more may be a name written in two: `Jongun` is also
///   `"jong un"` (and every other cut into two parts of two letters or more);
/// - consecutive capitalised words may be one name: `Kim Jong Un` also matches `Kim Jongun`.
public struct SearchQuery: Hashable, Sendable {
    /// The FTS5 MATCH expression, or nil when the query holds no word at all.
    public let expression: String?

    public init(_ typed: String) {
        var items: [Item] = []
        for chunk in Self.chunks(typed) {
            switch chunk {
            case .phrase(let text):
                let words = Self.words(text)
                if !words.isEmpty { items.append(.term(Self.quoted(words), name: nil)) }
            case .word(let raw):
                if ["OR", "AND", "NOT"].contains(raw) {
                    items.append(.operator(raw))
                } else if let term = Self.term(raw) {
                    items.append(.term(term, name: Self.name(raw)))
                }
            }
        }
        expression = Self.expression(Self.joiningNames(Self.wellFormed(items)))
    }

    // MARK: Reading the typed text

    enum Chunk: Hashable {
        case word(String)
        case phrase(String)
    }

    /// The typed text cut at white space and double quotes (straight or typographic).
    static func chunks(_ typed: String) -> [Chunk] {
        var chunks: [Chunk] = []
        var current = ""
        var inPhrase = false
        func flush() {
            if inPhrase {
                chunks.append(.phrase(current))
            } else if !current.isEmpty {
                chunks.append(.word(current))
            }
            current = ""
        }
        for character in typed {
            if FoldedText.fold(character) == ["\""] {
                flush()
                inPhrase.toggle()
            } else if !inPhrase && character.isWhitespace {
                flush()
            } else {
                current.append(character)
            }
        }
        flush()
        return chunks
    }

    /// The folded words of `text`: runs of letters and digits, as unicode61 cuts them.
    static func words(_ text: String) -> [String] {
        FoldedText(text).string.split { !($0.isLetter || $0.isNumber) }.map(String.init)
    }

    /// FTS5 strings: each word inside double quotes, which FTS5 reads as text whatever it holds.
    static func quoted(_ words: [String], prefix: Bool = false) -> String {
        "\"" + words.joined(separator: " ") + "\"" + (prefix ? "*" : "")
    }

    /// One typed word, with the spellings the index may hold; nil when it has no letter or digit.
    static func term(_ raw: String) -> String? {
        let prefix = raw.hasSuffix("*")
        let parts = words(raw)
        guard !parts.isEmpty else { return nil }
        // The parts as typed, to tell an acronym typed in capitals (its dots dropped, as folding does).
        let typed = raw.filter { $0 != "." }.split { !($0.isLetter || $0.isNumber) }
        let spelledOut = parts.indices.map { index in
            let part = parts[index]
            guard typed.count == parts.count, (2...5).contains(part.count), part.allSatisfy(\.isLetter),
                typed[index].allSatisfy(\.isUppercase)
            else { return part }
            return part.map(String.init).joined(separator: " ")
        }
        var spellings = [quoted(parts, prefix: prefix)]
        if spelledOut != parts { spellings.append(quoted(spelledOut, prefix: prefix)) }
        if parts.count > 1 { spellings.append(quoted([parts.joined()], prefix: prefix)) }
        if let name = name(raw), name.count >= 5 {
            let letters = Array(name)
            for cut in 2...(letters.count - 2) {
                spellings.append(quoted([String(letters[..<cut]), String(letters[cut...])]))
            }
        }
        return spellings.count == 1 ? spellings[0] : "(" + spellings.joined(separator: " OR ") + ")"
    }

    /// The folded word when `raw` is one capitalised word (not an acronym in capitals), which may be part
    /// of a name written in several words.
    static func name(_ raw: String) -> String? {
        let parts = words(raw)
        guard parts.count == 1, let word = parts.first, !raw.hasSuffix("*"), word.allSatisfy(\.isLetter),
            raw.first?.isUppercase == true, raw.contains(where: \.isLowercase)
        else { return nil }
        return word
    }

    // MARK: Putting it together

    enum Item: Hashable {
        /// An FTS5 term, and the folded word when it may be part of a name (``name(_:)``).
        case term(String, name: String?)
        case `operator`(String)
    }

    /// Operators only between two terms: a leading, trailing or repeated one is dropped.
    static func wellFormed(_ items: [Item]) -> [Item] {
        var result: [Item] = []
        for item in items {
            if item.isOperator, result.last?.isOperator ?? true { continue }
            result.append(item)
        }
        while result.last?.isOperator == true { result.removeLast() }
        return result
    }

    /// The most words taken as one name: a run of capitalised words is cut into runs of this many.
    static let longestName = 4

    /// Runs of capitalised words may be one name in any spelling: `Kim Jong Un` is the three words, or
    /// any neighbours among them written together (`Kim Jongun`, `KimJong Un`, ...).
    static func joiningNames(_ items: [Item]) -> [Item] {
        var result: [Item] = []
        var run: [(term: String, name: String)] = []
        func flush() {
            if run.count > 1 {
                result.append(.term(joinings(run), name: nil))
            } else {
                result += run.map { Item.term($0.term, name: $0.name) }
            }
            run = []
        }
        for item in items {
            if run.count == longestName { flush() }
            if case .term(let term, let name?) = item {
                run.append((term, name))
            } else {
                flush()
                result.append(item)
            }
        }
        flush()
        return result
    }

    /// Every way of writing neighbours of `run` together, one alternative each.
    static func joinings(_ run: [(term: String, name: String)]) -> String {
        var alternatives: [String] = []
        for mask in 0..<(1 << (run.count - 1)) {
            var units: [String] = []
            var group: [Int] = [0]
            func close() {
                units.append(group.count == 1 ? run[group[0]].term : quoted([group.map { run[$0].name }.joined()]))
            }
            for index in 1..<run.count {
                // Bit index - 1 set: this word is written together with the one before it.
                if mask & (1 << (index - 1)) != 0 {
                    group.append(index)
                } else {
                    close()
                    group = [index]
                }
            }
            close()
            alternatives.append("(" + units.joined(separator: " AND ") + ")")
        }
        return "(" + alternatives.joined(separator: " OR ") + ")"
    }

    /// The items in FTS5's syntax. Neighbouring terms get an explicit `AND`: FTS5 reads an implicit one
    /// only between two phrases, not before a parenthesis.
    static func expression(_ items: [Item]) -> String? {
        var result = ""
        var previousWasTerm = false
        for item in items {
            switch item {
            case .term(let term, _):
                if previousWasTerm { result += " AND" }
                result += (result.isEmpty ? "" : " ") + term
                previousWasTerm = true
            case .operator(let name):
                result += " " + name
                previousWasTerm = false
            }
        }
        return result.isEmpty ? nil : result
    }
}

extension SearchQuery.Item {
    var isOperator: Bool {
        if case .operator = self { return true }
        return false
    }
}
