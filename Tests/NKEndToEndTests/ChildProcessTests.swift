import Foundation
import NKTestSupport
import Testing

/// The harness's child processes (Tests/NKTestSupport/ChildProcess.swift) are freed once they ended.
@Suite struct ChildProcessTests {
    /// Foundation on Linux keeps a finished `Process` alive until `waitUntilExit()` is called (its run loop
    /// source retains it); the harness only polled `isRunning`, so every child leaked its `Process`, its
    /// environment and its stdout pipe (an open descriptor). Found by LeakSanitizer (scripts/sanitizers.sh).
    @Test(arguments: ["stop", "wait", "deinit"])
    func aChildThatEndedIsReleased(ending: String) throws {
        weak var released: Process?
        do {
            let child = try BackgroundProcess(URL(fileURLWithPath: "/bin/sh"), ["-c", "exit 3"])
            released = child.process
            switch ending {
            case "stop":
                while child.isRunning { Thread.sleep(forTimeInterval: 0.01) }
                #expect(child.stop() == 3)
            case "wait": #expect(try child.wait() == 3)
            default: while child.isRunning { Thread.sleep(forTimeInterval: 0.01) }
            }
        }
        #expect(wasFreed { released }, "the finished Process is still alive")
    }

    @Test func aKilledChildIsReleased() throws {
        weak var released: Process?
        do {
            let child = try BackgroundProcess(URL(fileURLWithPath: "/bin/sleep"), ["30"])
            released = child.process
            #expect(child.stop(signal: SIGKILL) == SIGKILL)
        }
        #expect(wasFreed { released }, "the killed Process is still alive")
    }

    /// Foundation's own thread may hold the process a moment after it ended: wait up to 5 s.
    private func wasFreed(_ object: () -> AnyObject?) -> Bool {
        let deadline = Date().addingTimeInterval(5)
        while object() != nil && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        return object() == nil
    }
}
