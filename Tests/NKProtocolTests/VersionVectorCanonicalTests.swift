import NKProtocol
import NKTestTraits
import PropertyBased
import Testing

@Suite(.tags(.unit)) struct VersionVectorCanonicalTests {
    private static let replicas = ["a", "b-2", "Z.9", "r_x", "replica-0123456789abcdef"]

    /// Vectors over a few replica ids (capitals, digits and '.', '_', '-' among them) with counters
    /// from zero (not stored) to very large.
    private static let vectors = Gen.uint64(in: 0...UInt64.max).array(of: replicas.count).map { counts in
        VersionVector(
            Dictionary(uniqueKeysWithValues: zip(replicas, counts).map { (ReplicaID($0.0), $0.1 % 4 == 0 ? 0 : $0.1) }))
    }

    @Test func canonicalTextReadsBackToTheSameVector() async {
        await propertyCheck(count: 500, input: Self.vectors) { vector in
            #expect(VersionVector(canonical: vector.canonical) == vector)
        }
    }

    @Test(arguments: [
        "a", "a:", ":1", "a:0", "a:-1", "a:1,", ",a:1", "b:1,a:1", "a:1,a:2", "a:1 ", "a b:1", "a:1.5",
        "a:99999999999999999999", "a:+1", "ä:1", "a:1,,b:1", "a:١",
    ])
    func malformedTextIsRefused(text: String) {
        #expect(VersionVector(canonical: text) == nil)
    }

    @Test func emptyTextIsTheEmptyVector() {
        #expect(VersionVector(canonical: "") == VersionVector())
    }

    /// A counter at the maximum (from a misbehaving server) must not trap the next local edit.
    @Test func incrementingAMaximalCounterDoesNotTrap() {
        let replica = ReplicaID("r")
        let vector = VersionVector([replica: UInt64.max]).incremented(for: replica)
        #expect(vector[replica] == UInt64.max)
        #expect(VersionVector([replica: 41]).incremented(for: replica)[replica] == 42)
    }
}
