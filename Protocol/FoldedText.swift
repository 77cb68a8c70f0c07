import Foundation

/// A text in the one normal form that quote matching, re-anchoring and search share, with the way back to
/// the original: every folded scalar knows the Unicode scalars of the original text it came from.
///
/// The folding, one grapheme cluster of the original at a time:
///
/// - Unicode NFKC (compatibility forms: ligatures, full-width letters, the ellipsis, non-breaking and
///   thin spaces), then lower case;
/// - typographic apostrophes and single quotes (`‘ ’ ‚ ‛ ′ ʼ`) are `'`, double quotes (`“ ” „ ‟ ″ « »`)
///   are `"`;
/// - every dash and hyphen (Unicode `Pd`, and the minus sign) is `-`;
/// - every kind of white space (and line ends) is a separator; invisible format characters (soft hyphen,
///   zero-width space, byte-order mark) are dropped;
/// - the dots of a dotted acronym (two or more single letters each followed by a dot: `D.P.R.K.`, `U.N.`,
///   `U.S.`) are dropped, so it equals the undotted one (`DPRK`, `UN`).
///
/// What happens to separators is the ``Separators`` mode: ``Separators/collapsed`` makes each run one
/// space and trims the ends (a readable normal form: words for the search index and queries);
/// ``Separators/ignored`` drops white space and hyphens altogether, the form quotes are matched in, so
/// that a name romanised with or without hyphens and spaces matches (`Kim Jong-un`, `Kim Jong Un`,
/// `Kim Jongun`), as does a quote typed across a line end or a double space.
public struct FoldedText: Hashable, Sendable {
    /// What becomes of white space and hyphens.
    public enum Separators: Hashable, Sendable {
        /// Each run of white space is one space, none at either end; dashes stay, as `-`.
        case collapsed
        /// White space, hyphens and dashes are dropped.
        case ignored
    }

    /// The folded text, in Unicode scalars.
    public let scalars: [Unicode.Scalar]
    /// `origins[i]`: the scalars of the original text that folded scalar `i` came from (a collapsed
    /// space stands for its whole run of white space).
    public let origins: [Range<Int>]

    /// Folds `text`, keeping separators as `separators` says.
    public init(_ text: String, separators: Separators = .collapsed) {
        let characters = Array(text)
        let acronymDots = Self.acronymDots(in: characters)
        var scalars: [Unicode.Scalar] = []
        var origins: [Range<Int>] = []
        scalars.reserveCapacity(text.utf8.count)
        origins.reserveCapacity(text.utf8.count)
        // A run of white space seen but not yet written: written as one space before the next scalar.
        var pendingSpace: Range<Int>?
        var offset = 0
        for (index, character) in characters.enumerated() {
            let origin = offset..<(offset + character.unicodeScalars.count)
            offset = origin.upperBound
            if acronymDots.contains(index) { continue }
            for scalar in Self.fold(character) {
                if scalar == " " {
                    if separators == .collapsed {
                        pendingSpace = (pendingSpace?.lowerBound ?? origin.lowerBound)..<origin.upperBound
                    }
                    continue
                }
                if scalar == "-" && separators == .ignored { continue }
                if let space = pendingSpace {
                    if !scalars.isEmpty {
                        scalars.append(" ")
                        origins.append(space)
                    }
                    pendingSpace = nil
                }
                scalars.append(scalar)
                origins.append(origin)
            }
        }
        self.scalars = scalars
        self.origins = origins
    }

    /// The folded text as a string.
    public var string: String { String(String.UnicodeScalarView(scalars)) }

    /// Whether nothing is left after folding (only white space, hyphens or invisible characters).
    public var isEmpty: Bool { scalars.isEmpty }

    /// The ranges of the original text (in Unicode scalars) whose folded forms are `needle`, in order;
    /// overlapping ones too.
    ///
    /// A match covers whole characters of the original: one that begins or ends inside what a single
    /// character folded to (`i` of `I` with a combining accent, `.` of `…`, `f` alone of `ﬁ`) is not an
    /// occurrence, since the original has no such passage to point at.
    public func occurrences(of needle: FoldedText) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        for start in knuthMorrisPrattOccurrences(of: needle.scalars, in: scalars) {
            let last = start + needle.scalars.count - 1
            guard start == 0 || origins[start - 1] != origins[start],
                last == origins.count - 1 || origins[last + 1] != origins[last]
            else { continue }
            ranges.append(origins[start].lowerBound..<origins[last].upperBound)
        }
        return ranges
    }

    /// Whether `lhs` and `rhs` read the same once folded with separators ignored.
    public static func equivalent(_ lhs: String, _ rhs: String) -> Bool {
        FoldedText(lhs, separators: .ignored).scalars == FoldedText(rhs, separators: .ignored).scalars
    }

    /// One grapheme cluster folded: a space stands for white space; hyphens and dashes are `-`.
    public static func fold(_ character: Character) -> [Unicode.Scalar] {
        if character.unicodeScalars.allSatisfy(\.properties.isWhitespace) { return [" "] }
        if let ascii = character.asciiValue {
            // The common case, without Foundation: ASCII is its own NFKC form.
            let scalar = Unicode.Scalar(ascii)
            return [(65...90).contains(ascii) ? Unicode.Scalar(ascii + 32) : scalar]
        }
        let normal = String(character).precomposedStringWithCompatibilityMapping.lowercased()
        return normal.unicodeScalars.compactMap { scalar in
            if scalar.properties.isWhitespace { return " " }
            if apostrophes.contains(scalar) { return "'" }
            if doubleQuotes.contains(scalar) { return "\"" }
            if scalar.properties.generalCategory == .dashPunctuation || scalar == "\u{2212}" { return "-" }
            if scalar.properties.isDefaultIgnorableCodePoint { return nil }
            return scalar
        }
    }

    /// Typographic apostrophes and single quotes: left and right, low-9, reversed-9, prime, modifier
    /// letter apostrophe.
    static let apostrophes: Set<Unicode.Scalar> = [
        "\u{2018}", "\u{2019}", "\u{201A}", "\u{201B}", "\u{2032}", "\u{02BC}",
    ]
    /// Typographic double quotes: left and right, low-9, reversed-9, double prime, guillemets.
    static let doubleQuotes: Set<Unicode.Scalar> = [
        "\u{201C}", "\u{201D}", "\u{201E}", "\u{201F}", "\u{2033}", "\u{00AB}", "\u{00BB}",
    ]

    /// The indices of the dots of dotted acronyms: runs of two or more single letters, each followed by
    /// a dot, that do not start inside a word (`D.P.R.K.`, `U.N.`; not the dot of `Jan 2.` or `No.`).
    static func acronymDots(in characters: [Character]) -> Set<Int> {
        var dots = Set<Int>()
        var index = 0
        while index < characters.count {
            let startsWord = index == 0 || !(characters[index - 1].isLetter || characters[index - 1].isNumber)
            var next = index
            var letters = 0
            while startsWord, next + 1 < characters.count, characters[next].isLetter, characters[next + 1] == "." {
                letters += 1
                next += 2
            }
            if letters >= 2 {
                for dot in stride(from: index + 1, to: next, by: 2) { dots.insert(dot) }
                index = next
            } else {
                index += 1
            }
        }
        return dots
    }
}

/// Start offsets of every occurrence of `needle` in `haystack` (overlapping ones too), in O(n + m).
func knuthMorrisPrattOccurrences(of needle: [Unicode.Scalar], in haystack: [Unicode.Scalar]) -> [Int] {
    guard !needle.isEmpty, needle.count <= haystack.count else { return [] }
    // failure[i]: length of the longest proper border of needle[0...i].
    var failure = [Int](repeating: 0, count: needle.count)
    var border = 0
    for index in 1..<needle.count {
        while border > 0 && needle[index] != needle[border] { border = failure[border - 1] }
        if needle[index] == needle[border] { border += 1 }
        failure[index] = border
    }
    var result: [Int] = []
    var matched = 0
    for (index, scalar) in haystack.enumerated() {
        while matched > 0 && scalar != needle[matched] { matched = failure[matched - 1] }
        if scalar == needle[matched] { matched += 1 }
        if matched == needle.count {
            result.append(index - needle.count + 1)
            matched = failure[matched - 1]
        }
    }
    return result
}
