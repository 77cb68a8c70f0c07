import NKTestTraits
import Testing

@testable import NKClient

@Suite(.tags(.unit)) struct ProgressBarTests {
    @Test(arguments: [
        (0, 10, "syncing ▕░░░░░░░░░░▏ 0/10"),
        (5, 10, "syncing ▕█████░░░░░▏ 5/10"),
        (10, 10, "syncing ▕██████████▏ 10/10"),
        (12, 10, "syncing ▕██████████▏ 10/10"),
    ])
    func aBarShowsTheShareDone(_ completed: Int, _ total: Int, _ line: String) {
        #expect(ProgressBar.line("syncing", completed: completed, total: total, width: 10) == line)
    }

    @Test func anUnknownTotalShowsTheCount() {
        #expect(ProgressBar.line("pulling", completed: 1200, total: nil) == "pulling 1200")
    }
}
