// libFuzzer target: anchoring quotes in post texts (`Anchor.locate`, `Anchor.reanchored(in:)`), which the
// client runs on every note it shows, with anchors that came over the wire.
//
// The input: a byte for the occurrence to locate (0: none), a byte whose low bit picks wide offsets, the
// stored start and end offsets (two 64-bit values when wide, so any offsets at all, else two 16-bit ones,
// little endian), then text, quote, prefix and suffix separated by 0xFF, a byte UTF-8 never holds.
//
// Checks, besides "no crash, no ASan report": an anchor `locate` finds stands at its offsets with its
// context, and re-anchors `exact` in the same text; `reanchored(in:)` on any anchor and any text returns
// the anchor unchanged when `exact` or `orphaned`, and otherwise a passage that stands in the text at its
// offsets with fresh context (word for word, as FoldedText folds the whole text, when `moved`), which re-anchors `exact`
// in turn.
import Foundation
import NKProtocol

private func check(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError(message()) }
}

private func scalars(_ text: String) -> [Unicode.Scalar] { Array(text.unicodeScalars) }

/// The anchor stands in `text` at its offsets, with the context `locate` would give it.
private func checkStands(_ anchor: Anchor, in text: [Unicode.Scalar], _ what: String) {
    check(
        anchor.start >= 0 && anchor.start < anchor.end && anchor.end <= text.count,
        "\(what): offsets \(anchor.start)..<\(anchor.end) outside a text of \(text.count)")
    check(Array(text[anchor.start..<anchor.end]) == scalars(anchor.exact), "\(what): the quote is not at its offsets")
    let before = text[max(0, anchor.start - Anchor.contextLength)..<anchor.start]
    let after = text[anchor.end..<min(text.count, anchor.end + Anchor.contextLength)]
    check(Array(before) == scalars(anchor.prefix), "\(what): the prefix is not the text before the quote")
    check(Array(after) == scalars(anchor.suffix), "\(what): the suffix is not the text after the quote")
}

/// Reads the anchor input: a byte for the occurrence to locate (0: none), a byte whose low bit picks wide
/// offsets, the start and end offsets (two 64-bit values when wide, so any offsets at all, else two 16-bit
/// ones, little endian), then text, quote, prefix and suffix separated by 0xFF.
private func checkAnchors(_ input: UnsafeRawBufferPointer) {
    var bytes = Array(input)
    let wide = bytes.count > 1 && bytes[1] & 1 == 1
    let header = 2 + (wide ? 16 : 4)
    if bytes.count < header { bytes += repeatElement(0, count: header - bytes.count) }
    func integer(_ slice: ArraySlice<UInt8>) -> Int { slice.reversed().reduce(0) { $0 << 8 | Int($1) } }
    let occurrence = bytes[0] == 0 ? nil : Int(bytes[0])
    let start: Int
    let end: Int
    if wide {
        start = integer(bytes[2..<10])
        end = integer(bytes[10..<18])
    } else {
        start = Int(Int16(truncatingIfNeeded: integer(bytes[2..<4])))
        end = Int(Int16(truncatingIfNeeded: integer(bytes[4..<6])))
    }
    let fields = bytes[header...].split(separator: 0xFF, omittingEmptySubsequences: false)
    func field(_ index: Int) -> String {
        index < fields.count ? String(decoding: fields[index], as: UTF8.self) : ""
    }
    let text = field(0)
    let quote = field(1)
    let textScalars = scalars(text)

    // An anchor made on the text: it stands there, and re-anchors exactly.
    if let located = try? Anchor.locate(quote, in: text, occurrence: occurrence) {
        checkStands(located, in: textScalars, "locate")
        let again = located.reanchored(in: text)
        check(again.status == .exact && again.anchor == located, "a located anchor re-anchors \(again.status)")
    }

    // Any anchor, any text.
    let anchor = Anchor(
        exact: quote, prefix: field(2), suffix: field(3), start: start, end: end)
    let placed = anchor.reanchored(in: text)
    switch placed.status {
    case .exact:
        check(placed.anchor == anchor, "an exact re-anchoring changed the anchor")
        check(
            anchor.start >= 0 && anchor.start <= anchor.end && anchor.end <= textScalars.count
                && Array(textScalars[anchor.start..<anchor.end]) == scalars(quote),
            "exact, but the quote is not at its offsets")
    case .orphaned:
        check(placed.anchor == anchor, "an orphaned re-anchoring changed the anchor")
    case .moved, .fuzzy:
        checkStands(placed.anchor, in: textScalars, "\(placed.status)")
        if placed.status == .moved {
            // Word for word: the same scalars, or a place where the text, folded, holds the folded quote
            // (in context: the dots of `U.N.` fold away only where the whole acronym stands).
            let range = placed.anchor.start..<placed.anchor.end
            check(
                scalars(placed.anchor.exact) == scalars(quote)
                    || FoldedText(text, separators: .ignored).occurrences(
                        of: FoldedText(quote, separators: .ignored)
                    ).contains(range),
                "moved, but the quote is not word for word")
        } else {
            check(quote.unicodeScalars.count >= Anchor.minimumFuzzyQuoteLength, "a short quote matched fuzzily")
        }
        let again = placed.anchor.reanchored(in: text)
        check(
            again.status == .exact && again.anchor == placed.anchor, "a re-anchored anchor re-anchors \(again.status)")
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    checkAnchors(UnsafeRawBufferPointer(start: start, count: count))
    return 0
}
