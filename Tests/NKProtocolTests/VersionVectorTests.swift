import Foundation
import NKProtocol
import NKTestTraits
import PropertyBased
import Testing

private func vv(_ counters: [String: UInt64]) -> VersionVector {
    VersionVector(Dictionary(uniqueKeysWithValues: counters.map { (ReplicaID($0.key), $0.value) }))
}

/// Vectors over three replicas with small counters, so that every causal order comes up often.
private let vectorGen = Gen.int(in: 0...3).array(of: 3).map { counts in
    vv(["a": UInt64(counts[0]), "b": UInt64(counts[1]), "c": UInt64(counts[2])])
}

@Suite(.tags(.unit)) struct VersionVectorTests {
    @Test(
        arguments: [
            ([:], [:], CausalOrder.equal),
            (["a": 1], ["a": 1], .equal),
            (["a": 1], ["a": 2], .before),
            (["a": 2], ["a": 1], .after),
            (["a": 1], ["b": 1], .concurrent),
            (["a": 1, "b": 1], ["a": 1], .after),
            (["a": 1], ["a": 1, "b": 1], .before),
            (["a": 2, "b": 1], ["a": 1, "b": 2], .concurrent),
            ([:], ["a": 1], .before),
            (["a": 0], [:], .equal),
            (["a": 3, "b": 0], ["a": 3], .equal),
        ] as [([String: UInt64], [String: UInt64], CausalOrder)])
    func compare(left: [String: UInt64], right: [String: UInt64], expected: CausalOrder) {
        #expect(vv(left).compare(vv(right)) == expected)
    }

    @Test func mergeIsPointwiseMaximum() {
        let merged = vv(["a": 2, "b": 1]).merging(vv(["b": 3, "c": 1]))
        #expect(merged == vv(["a": 2, "b": 3, "c": 1]))
    }

    @Test func incrementAddsOneEdit() {
        let start = vv(["a": 2])
        let next = start.incremented(for: ReplicaID("b"))
        #expect(next == vv(["a": 2, "b": 1]))
        #expect(start.compare(next) == .before)
        #expect(next.incremented(for: ReplicaID("a"))[ReplicaID("a")] == 3)
    }

    @Test func zeroCountersAreNotStored() {
        #expect(vv(["a": 0, "b": 1]).counters.count == 1)
        #expect(vv(["a": 0]) == VersionVector())
    }

    @Test func canonicalTextIsSortedAndStable() {
        #expect(vv(["b": 2, "a": 1]).canonical == "a:1,b:2")
        #expect(VersionVector().canonical == "")
    }

    @Test func codableIsAnObjectOfCounters() throws {
        let data = try Wire.makeEncoder().encode(vv(["r1": 2, "r2": 1]))
        #expect(String(decoding: data, as: UTF8.self) == #"{"r1":2,"r2":1}"#)
        let decoded = try Wire.makeDecoder().decode(VersionVector.self, from: data)
        #expect(decoded == vv(["r1": 2, "r2": 1]))
    }

    @Test(arguments: [#"{"a":-1}"#, #"{"a":"1"}"#, #"[1]"#, #"{"a":1.5}"#])
    func malformedVectorsDoNotDecode(json: String) {
        #expect(throws: (any Error).self) {
            try Wire.makeDecoder().decode(VersionVector.self, from: Data(json.utf8))
        }
    }

    // MARK: Properties

    @Test func compareIsAntisymmetric() async {
        await propertyCheck(count: 500, input: vectorGen, vectorGen) { x, y in
            let forward = x.compare(y)
            let backward = y.compare(x)
            switch forward {
            case .equal: #expect(backward == .equal && x == y)
            case .before: #expect(backward == .after)
            case .after: #expect(backward == .before)
            case .concurrent: #expect(backward == .concurrent)
            }
        }
    }

    @Test func mergeDominatesBothAndIsTheLeastSuch() async {
        await propertyCheck(count: 500, input: vectorGen, vectorGen, vectorGen) { x, y, z in
            let m = x.merging(y)
            #expect(m.dominates(x) && m.dominates(y))
            #expect(m == y.merging(x))
            #expect(x.merging(y).merging(z) == x.merging(y.merging(z)))
            #expect(x.merging(x) == x)
            // Any vector that dominates both dominates their merge.
            if z.dominates(x) && z.dominates(y) { #expect(z.dominates(m)) }
        }
    }

    @Test func anEditAfterMergeDominatesEverySibling() async {
        await propertyCheck(count: 500, input: vectorGen.array(of: 1...4), Gen.int(in: 0...2)) { siblings, who in
            let replica = ReplicaID(["a", "b", "c"][who])
            let edit = VersionVector.merging(siblings).incremented(for: replica)
            for sibling in siblings {
                #expect(edit.compare(sibling) == .after)
            }
        }
    }

    @Test func dominanceIsTransitive() async {
        await propertyCheck(count: 500, input: vectorGen, vectorGen, vectorGen) { x, y, z in
            if x.dominates(y) && y.dominates(z) { #expect(x.dominates(z)) }
        }
    }
}
