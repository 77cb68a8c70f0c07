/// How a stored anchor was found again in a post's current text.
public enum AnchorStatus: String, Codable, Hashable, Sendable, CaseIterable {
    /// The quote still stands at its offsets, with the same text around it.
    case exact
    /// The quote was found word for word, but at other offsets or with other text around it.
    case moved
    /// Only an approximate match was found: the anchor now holds the passage as it reads in the new text.
    case fuzzy
    /// No acceptable match: the anchor is unchanged and no longer points into the text.
    case orphaned
}

/// An anchor placed again in a post's current text, and how it was found.
public struct Reanchoring: Hashable, Sendable {
    /// The anchor for the current text: unchanged when ``status`` is `exact` or `orphaned`; otherwise the
    /// passage actually found, with fresh context and offsets.
    public var anchor: Anchor
    /// How the anchor was found.
    public var status: AnchorStatus

    /// A placement of `anchor`, found as `status` says.
    public init(anchor: Anchor, status: AnchorStatus) {
        self.anchor = anchor
        self.status = status
    }
}

extension Anchor {
    /// Quotes shorter than this (in Unicode scalars) never match approximately: one edit in a word of three
    /// letters is a different word, and such a word occurs all over a post.
    public static let minimumFuzzyQuoteLength = 4

    /// Quotes shorter than this (in Unicode scalars) are only placed away from where they stood, or
    /// approximately, when the text around the match agrees with the stored context (at least half of
    /// the stored prefix and suffix, counted in edits). A short quote such as "the rate" is not specific
    /// enough to identify a passage by itself.
    public static let specificQuoteLength = 16

    /// Places this anchor in `text`, a newer version of the post's ``Post/text``, the way W3C Web Annotation
    /// clients re-anchor a `TextQuoteSelector` with a `TextPositionSelector` hint:
    ///
    /// 1. **exact**: the quote stands at ``start``..<``end`` and the stored ``prefix`` and ``suffix`` still
    ///    surround it, as far as the text reaches. The anchor is returned unchanged.
    /// 2. **moved**: the quote occurs word for word elsewhere (or at the same offsets, but with other
    ///    text around it); word for word as ``FoldedText`` folds it, so the new anchor holds the post's own
    ///    characters (a curly apostrophe where the old text had a straight one). Of several occurrences, the one whose surroundings differ least from the stored
    ///    context wins (edit distance), then the one closest to the old offset.
    /// 3. **fuzzy**: no verbatim occurrence is acceptable, but a passage within `quote length / 4` edits
    ///    (Levenshtein) is found, first within a window around the old offsets, then in the whole text.
    ///    Candidates are ranked by a weighted score, as Hypothesis weighs them: quote similarity 50,
    ///    prefix and suffix similarity 20 each, closeness to the old offset 2; then by closeness. A verbatim
    ///    occurrence of a quote shorter than ``specificQuoteLength`` that its context does not confirm
    ///    competes here by the same score (and wins as **moved**); a longer quote found word for word
    ///    is always **moved**, whatever now surrounds it. The new anchor holds the passage as it now reads.
    /// 4. **orphaned**: nothing acceptable; the anchor is returned unchanged.
    ///
    /// Guards against a silent jump to the wrong place: a quote shorter than ``minimumFuzzyQuoteLength``
    /// never matches approximately, and a quote shorter than ``specificQuoteLength`` is only moved or
    /// fuzzily matched where its context confirms it (see there). A quote found again gets fresh context
    /// of ``contextLength`` scalars on each side.
    ///
    /// Cost, for a text of `n` and a quote of `m` Unicode scalars: O(n + m) to find verbatim occurrences
    /// (Knuth–Morris–Pratt); the approximate search is Myers' bit-parallel algorithm, O(window × ⌈m/64⌉),
    /// over a window of ± max(2000, 4m) scalars around the old offsets, then over the whole text only if
    /// the window gave no confirmed match and n × ⌈m/64⌉ ≤ 16 million. At most 512 candidates of each
    /// search are scored, each in O(c²) for a context of c scalars. A 60,000-scalar post with a
    /// 550-scalar quote moved to its end and corrected takes about 10 ms in an optimised build.
    public func reanchored(in text: String) -> Reanchoring {
        Reanchorer(anchor: self, text: text).run()
    }
}

/// A place where the quote may stand now, with what is known about it.
private struct Candidate {
    var start: Int
    var end: Int
    /// Edits between the stored quote and the text at `start..<end`.
    var quoteErrors: Int
    /// Edits between the stored prefix and the text before `start`, and the suffix and the text after `end`.
    var prefixErrors = 0
    var suffixErrors = 0
    /// Distance of `start` from the stored start.
    var distance = 0
    var score = 0.0

    var contextErrors: Int { prefixErrors + suffixErrors }
}

private struct Reanchorer {
    let anchor: Anchor
    let text: [Unicode.Scalar]
    let quote: [Unicode.Scalar]
    let prefix: [Unicode.Scalar]
    let suffix: [Unicode.Scalar]

    /// The largest number of approximate matches of one search that are scored.
    static let maxFuzzyCandidates = 512
    /// The largest number of verbatim occurrences whose context is measured with edit distances.
    static let maxVerbatimCandidates = 256
    /// The most block steps (text length × 64-scalar blocks of the quote) spent on the whole text.
    static let maxWholeTextWork = 16_000_000

    init(anchor: Anchor, text: String) {
        self.anchor = anchor
        self.text = Array(text.unicodeScalars)
        self.quote = Array(anchor.exact.unicodeScalars)
        self.prefix = Array(anchor.prefix.unicodeScalars)
        self.suffix = Array(anchor.suffix.unicodeScalars)
    }

    func run() -> Reanchoring {
        let orphaned = Reanchoring(anchor: anchor, status: .orphaned)
        guard !quote.isEmpty, quote.count <= text.count else {
            return quote.isEmpty ? orphaned : fuzzyOnly() ?? orphaned
        }
        if standsAtOldOffsets() { return Reanchoring(anchor: anchor, status: .exact) }
        let verbatim = bestVerbatim()
        // A specific quote found word for word wins over any approximate match, even where its
        // context changed completely (text inserted right before or after it): the context only has
        // to confirm short quotes, which occur all over a post.
        if let verbatim, quote.count >= Anchor.specificQuoteLength || contextConfirms(verbatim) ?? true {
            return found(verbatim)
        }
        var pool = fuzzyCandidates()
        if let verbatim, accepts(verbatim) { pool.append(verbatim) }
        guard let best = pool.min(by: ranksBefore) else { return orphaned }
        return found(best)
    }

    /// The quote is longer than the text: only an approximate match can stand.
    private func fuzzyOnly() -> Reanchoring? {
        fuzzyCandidates().min(by: ranksBefore).map(found)
    }

    private func found(_ candidate: Candidate) -> Reanchoring {
        let start = candidate.start
        let end = candidate.end
        let prefixStart = max(0, start - Anchor.contextLength)
        let suffixEnd = min(text.count, end + Anchor.contextLength)
        let anchor = Anchor(
            exact: string(text[start..<end]),
            prefix: string(text[prefixStart..<start]),
            suffix: string(text[end..<suffixEnd]),
            start: start,
            end: end
        )
        return Reanchoring(anchor: anchor, status: candidate.quoteErrors == 0 ? .moved : .fuzzy)
    }

    // MARK: Exact

    /// The quote at the stored offsets, with the stored context around it as far as the text reaches.
    private func standsAtOldOffsets() -> Bool {
        let start = anchor.start
        let end = anchor.end
        // Stored offsets come from the wire and may be anything: check the start before adding to it.
        guard start >= 0, start <= text.count - quote.count, end == start + quote.count,
            text[start..<end].elementsEqual(quote)
        else { return false }
        let before = text[max(0, start - prefix.count)..<start]
        let after = text[end..<min(text.count, end + suffix.count)]
        return prefix.suffix(before.count).elementsEqual(before) && suffix.prefix(after.count).elementsEqual(after)
    }

    // MARK: Verbatim

    /// The verbatim occurrence whose context differs least from the stored one, then the closest.
    /// Verbatim means scalar for scalar, or else equal once folded (``FoldedText``): a correction that
    /// only straightened a quote mark or replaced a non-breaking space leaves the same words.
    private func bestVerbatim() -> Candidate? {
        var ranges = knuthMorrisPrattOccurrences(of: quote, in: text).map { $0..<($0 + quote.count) }
        if ranges.isEmpty {
            let needle = FoldedText(anchor.exact, separators: .ignored)
            guard !needle.isEmpty else { return nil }
            ranges = FoldedText(string(text[...]), separators: .ignored).occurrences(of: needle)
        }
        guard !ranges.isEmpty else { return nil }
        if ranges.count > Self.maxVerbatimCandidates {
            // Too many to measure with edit distances: keep those whose neighbouring scalars agree most.
            let keyed = ranges.map { range in
                (range: range, agreement: adjacentAgreement(start: range.lowerBound, end: range.upperBound))
            }
            ranges = keyed.sorted {
                if $0.agreement != $1.agreement { return $0.agreement > $1.agreement }
                return distance($0.range.lowerBound) < distance($1.range.lowerBound)
            }.prefix(Self.maxVerbatimCandidates).map(\.range)
        }
        return ranges.map { measured(start: $0.lowerBound, end: $0.upperBound, quoteErrors: 0) }.min {
            if $0.contextErrors != $1.contextErrors { return $0.contextErrors < $1.contextErrors }
            if $0.distance != $1.distance { return $0.distance < $1.distance }
            return $0.start < $1.start
        }
    }

    /// How many scalars right before and after `start..<end` equal the stored context's nearest ones.
    private func adjacentAgreement(start: Int, end: Int) -> Int {
        var count = 0
        while count < prefix.count, start - count - 1 >= 0,
            text[start - count - 1] == prefix[prefix.count - count - 1]
        {
            count += 1
        }
        var after = 0
        while after < suffix.count, end + after < text.count, text[end + after] == suffix[after] { after += 1 }
        return count + after
    }

    // MARK: Approximate

    /// Approximate matches within `quote length / 4` edits that ``accepts(_:)`` lets through: first in a
    /// window around the old offsets, then in the whole text when the window gave none that its context
    /// confirms.
    private func fuzzyCandidates() -> [Candidate] {
        let maxErrors = quote.count / 4
        guard quote.count >= Anchor.minimumFuzzyQuoteLength, maxErrors >= 1, !text.isEmpty else { return [] }
        let matcher = BitParallelMatcher(pattern: quote)
        let reversed = BitParallelMatcher(pattern: quote.reversed())
        let oldStart = min(max(anchor.start, 0), text.count)
        let oldEnd = min(max(anchor.end, oldStart), text.count)
        let margin = max(2_000, 4 * quote.count)
        let window = max(0, oldStart - margin)..<min(text.count, oldEnd + margin)
        let near = approximateMatches(in: window, maxErrors: maxErrors, matcher: matcher, reversed: reversed)
        if window == 0..<text.count || near.contains(where: { contextConfirms($0) == true }) { return near }
        guard text.count * matcher.blocks <= Self.maxWholeTextWork else { return near }
        return approximateMatches(in: 0..<text.count, maxErrors: maxErrors, matcher: matcher, reversed: reversed)
    }

    private func approximateMatches(
        in range: Range<Int>, maxErrors: Int, matcher: BitParallelMatcher, reversed: BitParallelMatcher
    ) -> [Candidate] {
        // Ends of matches: in each run of consecutive ends within `maxErrors`, the first with the fewest.
        var ends: [(end: Int, errors: Int)] = []
        var runBest: (end: Int, errors: Int)?
        matcher.scan(text[range], anchored: false) { column, errors in
            if errors <= maxErrors {
                if let best = runBest, best.errors <= errors { return }
                runBest = (range.lowerBound + column + 1, errors)
            } else if let best = runBest {
                ends.append(best)
                runBest = nil
            }
        }
        if let best = runBest { ends.append(best) }
        ends.sort {
            if $0.errors != $1.errors { return $0.errors < $1.errors }
            return gap($0.end, anchor.end) < gap($1.end, anchor.end)
        }
        var seen = Set<Int>()
        var result: [Candidate] = []
        for (end, errors) in ends.prefix(Self.maxFuzzyCandidates) {
            // The start: run the reversed quote backwards from `end`, anchored there, and take the
            // length with the fewest edits (the one closest to the quote's length on a tie).
            let lowest = max(range.lowerBound, end - quote.count - errors)
            var length = 0
            var fewest = Int.max
            reversed.scan(text[lowest..<end].reversed(), anchored: true) { column, columnErrors in
                let candidateLength = column + 1
                if columnErrors < fewest
                    || (columnErrors == fewest
                        && abs(candidateLength - quote.count) < abs(length - quote.count))
                {
                    fewest = columnErrors
                    length = candidateLength
                }
            }
            guard length > 0 else { continue }
            var start = end - length
            var trimmedEnd = end
            // Edits at the edges that only add white space are not part of the passage.
            if let first = quote.first, !first.properties.isWhitespace {
                while start < trimmedEnd, text[start].properties.isWhitespace { start += 1 }
            }
            if let last = quote.last, !last.properties.isWhitespace {
                while trimmedEnd > start, text[trimmedEnd - 1].properties.isWhitespace { trimmedEnd -= 1 }
            }
            guard start < trimmedEnd, seen.insert(start * (text.count + 1) + trimmedEnd).inserted else { continue }
            let candidate = measured(start: start, end: trimmedEnd, quoteErrors: min(errors, fewest))
            if accepts(candidate) { result.append(candidate) }
        }
        return result
    }

    // MARK: Scoring

    private func distance(_ start: Int) -> Int { gap(start, anchor.start) }

    private func measured(start: Int, end: Int, quoteErrors: Int) -> Candidate {
        var candidate = Candidate(start: start, end: end, quoteErrors: quoteErrors)
        candidate.prefixErrors = levenshtein(prefix[...], text[max(0, start - prefix.count)..<start])
        candidate.suffixErrors = levenshtein(suffix[...], text[end..<min(text.count, end + suffix.count)])
        candidate.distance = distance(start)
        // Weighted like Hypothesis's quote matcher: the quote counts most, then each side's context,
        // then closeness to the old offset.
        let quoteSimilarity = 1 - Double(quoteErrors) / Double(quote.count)
        let prefixSimilarity = prefix.isEmpty ? 1 : 1 - Double(candidate.prefixErrors) / Double(prefix.count)
        let suffixSimilarity = suffix.isEmpty ? 1 : 1 - Double(candidate.suffixErrors) / Double(suffix.count)
        let closeness = 1 - Double(min(candidate.distance, text.count)) / Double(max(text.count, 1))
        candidate.score = 50 * quoteSimilarity + 20 * prefixSimilarity + 20 * suffixSimilarity + 2 * closeness
        return candidate
    }

    /// Whether the text around the candidate agrees with the stored context: at most half of the stored
    /// context's scalars differ. Nil when the anchor has no context to compare.
    private func contextConfirms(_ candidate: Candidate) -> Bool? {
        let stored = prefix.count + suffix.count
        guard stored > 0 else { return nil }
        return candidate.contextErrors * 2 <= stored
    }

    /// The guards of ``Anchor/reanchored(in:)`` for a candidate away from the old place.
    private func accepts(_ candidate: Candidate) -> Bool {
        if candidate.quoteErrors > 0 {
            guard quote.count >= Anchor.minimumFuzzyQuoteLength, candidate.quoteErrors <= quote.count / 4 else {
                return false
            }
        }
        if quote.count >= Anchor.specificQuoteLength { return true }
        guard let confirmed = contextConfirms(candidate) else { return candidate.quoteErrors == 0 }
        return confirmed
    }

    /// Best first: the highest score, then the closest to the old offset, then the earliest.
    private func ranksBefore(_ lhs: Candidate, _ rhs: Candidate) -> Bool {
        if lhs.score != rhs.score { return lhs.score > rhs.score }
        if lhs.distance != rhs.distance { return lhs.distance < rhs.distance }
        return lhs.start < rhs.start
    }

    private func string(_ scalars: ArraySlice<Unicode.Scalar>) -> String {
        String(String.UnicodeScalarView(scalars))
    }
}

// MARK: - String algorithms

/// `|a - b|`, or `Int.max` when that does not fit: a stored offset may be anything, even `Int.min`.
private func gap(_ a: Int, _ b: Int) -> Int {
    let (difference, overflow) = a.subtractingReportingOverflow(b)
    return overflow ? .max : Int(clamping: difference.magnitude)
}

/// The Levenshtein distance between two short sequences, in O(a × b) time and O(b) space.
private func levenshtein(_ lhs: ArraySlice<Unicode.Scalar>, _ rhs: ArraySlice<Unicode.Scalar>) -> Int {
    if lhs.isEmpty { return rhs.count }
    if rhs.isEmpty { return lhs.count }
    let right = Array(rhs)
    var previous = Array(0...right.count)
    var current = [Int](repeating: 0, count: right.count + 1)
    for (row, left) in lhs.enumerated() {
        current[0] = row + 1
        for column in 1...right.count {
            let substitution = previous[column - 1] + (left == right[column - 1] ? 0 : 1)
            current[column] = min(substitution, previous[column] + 1, current[column - 1] + 1)
        }
        swap(&previous, &current)
    }
    return previous[right.count]
}

/// Myers' bit-parallel edit distance (1999), in Hyyrö's form for patterns longer than a machine word:
/// each column of the dynamic-programming table is kept as bit vectors of vertical +1/-1 deltas, 64 rows
/// per block.
private struct BitParallelMatcher {
    let length: Int
    let blocks: Int
    /// The bit of the last block that stands for the pattern's last row.
    let lastRowBit: UInt64
    /// A slot per distinct scalar of the pattern.
    let slots: [Unicode.Scalar: Int]
    /// `equal[slot * blocks + block]`: the rows (bits) whose pattern scalar is the slot's scalar.
    let equal: [UInt64]

    init<C: Collection>(pattern: C) where C.Element == Unicode.Scalar {
        length = pattern.count
        blocks = (length + 63) / 64
        lastRowBit = UInt64(1) << UInt64((length - 1) % 64)
        var slots: [Unicode.Scalar: Int] = [:]
        var equal: [UInt64] = []
        for (row, scalar) in pattern.enumerated() {
            let slot: Int
            if let known = slots[scalar] {
                slot = known
            } else {
                slot = slots.count
                slots[scalar] = slot
                equal.append(contentsOf: repeatElement(0, count: blocks))
            }
            equal[slot * blocks + row / 64] |= UInt64(1) << UInt64(row % 64)
        }
        self.slots = slots
        self.equal = equal
    }

    /// Calls `body(column, errors)` after each scalar of `text`, with the fewest edits between the whole
    /// pattern and the text up to and including that scalar: starting anywhere (`anchored == false`, the
    /// search for approximate occurrences), or starting at the text's first scalar (`anchored == true`).
    func scan<C: Collection>(_ text: C, anchored: Bool, _ body: (_ column: Int, _ errors: Int) -> Void)
    where C.Element == Unicode.Scalar {
        var positive = [UInt64](repeating: ~0, count: blocks)
        var negative = [UInt64](repeating: 0, count: blocks)
        var errors = length
        let highBit = UInt64(1) << 63
        for (column, scalar) in text.enumerated() {
            let slot = slots[scalar]
            // The horizontal delta entering the block from the row above it: row 0 costs nothing when a
            // match may start anywhere, one per scalar when it is anchored at the text's start.
            var carry = anchored ? 1 : 0
            for block in 0..<blocks {
                var eq = slot.map { equal[$0 * blocks + block] } ?? 0
                let pv = positive[block]
                let mv = negative[block]
                let xv = eq | mv
                if carry < 0 { eq |= 1 }
                let xh = (((eq & pv) &+ pv) ^ pv) | eq
                var ph = mv | ~(xh | pv)
                var mh = pv & xh
                let bit = block == blocks - 1 ? lastRowBit : highBit
                let out = ph & bit != 0 ? 1 : (mh & bit != 0 ? -1 : 0)
                ph <<= 1
                mh <<= 1
                if carry < 0 { mh |= 1 } else if carry > 0 { ph |= 1 }
                positive[block] = mh | ~(xv | ph)
                negative[block] = ph & xv
                carry = out
            }
            errors += carry
            body(column, errors)
        }
    }
}
