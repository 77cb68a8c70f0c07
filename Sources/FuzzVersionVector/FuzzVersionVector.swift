// libFuzzer target: the algebra of version vectors (`Protocol/VersionVector.swift`).
//
// The input holds two or three vectors: a JSON array of vector objects (input starting with `[`, decoded
// with the wire decoder), or a compact binary form (see `BinaryVectors`) that libFuzzer mutates well.
// Each property below traps when it does not hold:
// - merge is commutative, associative and idempotent, and the merge dominates (after or equal) its inputs;
// - compare agrees with merge (`.equal` when a == b, `.before` when a ∪ b == b, `.after` when a ∪ b == a,
//   `.concurrent` otherwise), is antisymmetric, and `dominates` is `merge == self`;
// - no zero counter is stored, and a vector survives the wire encoder and decoder unchanged;
// - for vectors that validate (counters up to 2^53, replica-id keys): the canonical text is equal exactly
//   when the vectors are, and `incremented(for:)` gives a vector strictly after, one more edit of that replica.
import Foundation
import NKProtocol

/// Replica names the binary form picks from: few, so that vectors share keys and every order comes up;
/// two spellings of "é" that Swift's `String ==` treats as equal; names that validation refuses.
private let names: [String] = ["a", "b", "c", "d", "r-1", "é", "e\u{301}", "a:1,b", "", "x y"]

/// Reads the binary form: per vector, a byte for its entry count (0–8), then per entry a name byte
/// and a counter. Counter byte below 0xF0: its value mod 8; 0xF0–0xFB: the next 8 bytes, little endian;
/// 0xFC: 2^53; 0xFD: 2^53 + 1; 0xFE: `UInt64.max`; 0xFF: zero.
private struct BinaryVectors {
    var bytes: UnsafeRawBufferPointer.SubSequence

    mutating func byte() -> UInt8 {
        guard let first = bytes.first else { return 0 }
        bytes = bytes.dropFirst()
        return first
    }

    mutating func counter() -> UInt64 {
        let tag = byte()
        switch tag {
        case 0..<0xF0: return UInt64(tag % 8)
        case 0xF0..<0xFC: return (0..<8).reduce(UInt64(0)) { $0 | UInt64(byte()) << (8 * UInt64($1)) }
        case 0xFC: return Limits.maxCounter
        case 0xFD: return Limits.maxCounter + 1
        case 0xFE: return .max
        default: return 0
        }
    }

    mutating func vector() -> VersionVector {
        var counters: [ReplicaID: UInt64] = [:]
        for _ in 0..<(byte() % 9) {
            counters[ReplicaID(names[Int(byte()) % names.count])] = counter()
        }
        return VersionVector(counters)
    }
}

private func check(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError(message()) }
}

private func checkPair(_ a: VersionVector, _ b: VersionVector) {
    let ab = a.merging(b)
    check(ab == b.merging(a), "merge is not commutative: \(a) \(b)")
    check(ab.dominates(a) && ab.dominates(b), "the merge \(ab) does not dominate \(a) and \(b)")
    let order = a.compare(b)
    let expected: CausalOrder =
        if a == b { .equal } else if ab == b { .before } else if ab == a { .after } else { .concurrent }
    check(order == expected, "\(a).compare(\(b)) is \(order), the merge says \(expected)")
    let mirrored: [CausalOrder: CausalOrder] = [
        .equal: .equal, .before: .after, .after: .before, .concurrent: .concurrent,
    ]
    check(b.compare(a) == mirrored[order], "compare is not antisymmetric: \(a) \(b)")
    check(a.dominates(b) == (ab == a), "dominates disagrees with merge: \(a) \(b)")
    if (try? RecordVersion.validateVector(a)) != nil, (try? RecordVersion.validateVector(b)) != nil {
        check((a.canonical == b.canonical) == (a == b), "canonical text \(a.canonical) is not one-to-one: \(a) \(b)")
    }
}

private func checkOne(_ a: VersionVector) {
    check(a.merging(a) == a, "merge is not idempotent: \(a)")
    check(a.compare(a) == .equal, "a vector is not equal to itself: \(a)")
    check(a.merging(VersionVector()) == a, "the empty vector is not neutral: \(a)")
    check(!a.counters.values.contains(0), "a zero counter is stored: \(a)")
    check(VersionVector(a.counters) == a, "a vector rebuilt from its counters differs: \(a)")
    do {
        let data = try Wire.makeEncoder().encode(a)
        let decoded = try Wire.makeDecoder().decode(VersionVector.self, from: data)
        check(decoded == a, "\(a) changes in an encode-decode round trip: \(decoded)")
    } catch {
        fatalError("\(a) does not survive an encode-decode round trip: \(error)")
    }
    guard (try? RecordVersion.validateVector(a)) != nil else { return }
    for replica in a.counters.keys + [ReplicaID("fresh")] {
        let next = a.incremented(for: replica)
        check(next.compare(a) == .after, "\(next), incremented for \(replica), is not after \(a)")
        check(next[replica] == a[replica] + 1, "incrementing \(a) for \(replica) gave \(next)")
        check(next.merging(a) == next, "\(next), incremented from \(a), does not contain it")
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: start, count: count)
    var vectors: [VersionVector]
    if input.first == UInt8(ascii: "[") {
        guard let decoded = try? Wire.makeDecoder().decode([VersionVector].self, from: Data(input)) else { return 0 }
        vectors = Array(decoded.prefix(3))
        guard vectors.count >= 2 else { return 0 }
    } else {
        var reader = BinaryVectors(bytes: input[...])
        let three = reader.byte() & 1 == 1
        vectors = [reader.vector(), reader.vector()]
        if three { vectors.append(reader.vector()) }
    }
    for vector in vectors { checkOne(vector) }
    for a in vectors {
        for b in vectors { checkPair(a, b) }
    }
    if vectors.count == 3 {
        let (a, b, c) = (vectors[0], vectors[1], vectors[2])
        let left = a.merging(b).merging(c)
        check(left == a.merging(b.merging(c)), "merge is not associative: \(a) \(b) \(c)")
        check(left == VersionVector.merging(vectors), "merging a sequence differs from pairwise merges: \(a) \(b) \(c)")
        // Transitivity of the causal order.
        if a.dominates(b) && b.dominates(c) { check(a.dominates(c), "dominates is not transitive: \(a) \(b) \(c)") }
    }
    return 0
}
