import NKProtocol
import NKTestTraits
import Testing

@testable import NKClient

@Suite(.tags(.unit)) struct FrontierTests {
    let a1 = Fixtures.vector(["a": 1])
    let a2 = Fixtures.vector(["a": 2])
    let b1 = Fixtures.vector(["b": 1])
    let a1b1 = Fixtures.vector(["a": 1, "b": 1])

    @Test func aDominatedOrEqualVersionIsIgnored() {
        #expect(Frontier.apply(a1, to: [a2]).status == .unchanged)
        let equal = Frontier.apply(a2, to: [a2])
        #expect(equal.status == .unchanged && equal.equal == a2)
    }

    @Test func aNewerVersionReplacesWhatItDominates() {
        let outcome = Frontier.apply(a1b1, to: [a1, b1])
        #expect(outcome.status == .applied)
        #expect(Set(outcome.removed) == [a1, b1])
    }

    @Test func aConcurrentVersionBecomesASibling() {
        let outcome = Frontier.apply(b1, to: [a2])
        #expect(outcome.status == .conflict && outcome.removed.isEmpty)
        // Dominating one sibling but not the other still leaves a conflict.
        let partly = Frontier.apply(Fixtures.vector(["a": 3]), to: [a2, b1])
        #expect(partly.status == .conflict && partly.removed == [a2])
    }

    @Test func aHiddenVersionDropsOnlyWhatItDominates() {
        #expect(Frontier.hide(a2, from: [a1, b1]) == [a1])
        #expect(Frontier.hide(a1, from: [a1]) == [a1])
        #expect(Frontier.hide(a1, from: [a2]).isEmpty)
    }

    @Test func aLocalEditHasSeenEverySibling() {
        let edit = Frontier.localEdit(of: [a2, b1], by: ReplicaID("c"))
        #expect(edit == Fixtures.vector(["a": 2, "b": 1, "c": 1]))
        #expect(edit.compare(a2) == .after && edit.compare(b1) == .after)
    }

    @Test(arguments: [
        (["a": 1, "b": 2], ["a": 2], true),
        (["b": 1], ["a": 9], false),
        (["a": 10], ["a": 9], true),
    ])
    func siblingOrderIsByCanonicalText(lhs: [String: UInt64], rhs: [String: UInt64], expected: Bool) {
        #expect(Frontier.siblingOrder(Fixtures.vector(lhs), Fixtures.vector(rhs)) == expected)
    }
}
