import Foundation
import NKTestSupport
import NKTestTraits
import Testing

/// The harness's child processes (Tests/NKTestSupport/SpawnedProcess.swift): reaped however they end,
/// a signal told from an exit, and nothing of the test runner leaked into them or left open here.
@Suite(.processes, .tags(.live)) struct ChildProcessTests {
    /// Every ending reaps the child: no zombie is left, whose pid would still answer `kill(pid, 0)`.
    /// (The harness once leaked every ended Foundation `Process` with its stdout pipe, found by
    /// LeakSanitizer; a child nobody reaps is the same kind of leak, in the kernel.)
    @Test(arguments: ["stop", "wait", "deinit"])
    func aChildThatEndedIsReaped(ending: String) throws {
        var pid: Int32 = 0
        do {
            let child = try BackgroundProcess(URL(fileURLWithPath: "/bin/sh"), ["-c", "exit 3"])
            pid = child.pid
            #expect(try waitUntil(10) { !Self.isAlive(pid) || Self.isZombie(pid) })
            switch ending {
            case "stop": #expect(child.stop() == 3)
            case "wait": #expect(try child.wait() == 3)
            default: break
            }
            if ending != "deinit" { #expect(child.end == .exited(3)) }
        }
        #expect(!Self.isAlive(pid), "pid \(pid) is still there (a zombie: \(Self.isZombie(pid)))")
    }

    /// A child still running when its object goes is killed and reaped.
    @Test func aRunningChildIsKilledAndReapedWhenReleased() throws {
        var pid: Int32 = 0
        do {
            let child = try BackgroundProcess(URL(fileURLWithPath: "/bin/sleep"), ["30"])
            pid = child.pid
            #expect(child.isRunning)
        }
        #expect(!Self.isAlive(pid), "pid \(pid) is still there (a zombie: \(Self.isZombie(pid)))")
    }

    /// The disk-fault suite counts crashes: a child killed by signal 9 is not one that exited with
    /// status 9, though both have status 9.
    @Test func aSignalIsToldFromAnExit() throws {
        let killed = try BackgroundProcess(URL(fileURLWithPath: "/bin/sleep"), ["30"])
        #expect(killed.stop(signal: SIGKILL) == SIGKILL)
        #expect(killed.end == .signalled(SIGKILL))

        let exited = try runCommand(URL(fileURLWithPath: "/bin/sh"), ["-c", "exit 9"])
        #expect(exited.end == .exited(9))
        #expect(!exited.succeeded)
        let crashed = try runCommand(URL(fileURLWithPath: "/bin/sh"), ["-c", "kill -SEGV $$"])
        #expect(crashed.end == .signalled(SIGSEGV))

        // A child that ignores SIGTERM is killed when `stop` runs out of patience.
        let stubborn = try BackgroundProcess(
            URL(fileURLWithPath: "/bin/sh"), ["-c", "trap '' TERM; echo ready; sleep 30"])
        #expect(try stubborn.firstLine(timeout: 10) == "ready")
        #expect(stubborn.stop(signal: SIGTERM, timeout: 0.5) == SIGKILL)
    }

    /// A child gets stdin, stdout and stderr only: none of the test runner's descriptors (its sockets,
    /// databases, other children's pipes), stdin on /dev/null, SIGTERM at its default action even in a
    /// runner that ignores it (as one does once a live Hummingbird server ran in it).
    @Test func aChildGetsOnlyItsStandardDescriptorsAndDefaultSignals() throws {
        let other = try BackgroundProcess(URL(fileURLWithPath: "/bin/sleep"), ["30"])
        defer { other.stop(signal: SIGKILL) }
        let listing = try runCommand(
            URL(fileURLWithPath: "/bin/sh"), ["-c", "ls /proc/$$/fd; readlink /proc/$$/fd/0"])
        #expect(listing.succeeded, "\(listing)")
        let lines = listing.stdout.split(separator: "\n")
        #expect(lines.prefix(3) == ["0", "1", "2"], "\(listing.stdout)")
        #expect(lines.dropFirst(3).first == "/dev/null", "\(listing.stdout)")

        let previous = signal(SIGTERM, SIG_IGN)
        defer { signal(SIGTERM, previous) }
        let child = try BackgroundProcess(URL(fileURLWithPath: "/bin/sleep"), ["30"])
        #expect(child.stop(signal: SIGTERM, timeout: 10) == SIGTERM)
    }

    /// Once a child ended and its object went, no descriptor of its is left open here: its stdout
    /// pipe reaches end-of-file when it exits (the writing end was not kept), and its reading end is
    /// closed.
    @Test func aChildsPipeIsClosed() throws {
        var descriptor: Int32 = -1
        do {
            let child = try SpawnedProcess(URL(fileURLWithPath: "/bin/echo"), ["done"], stdout: .pipe)
            let output = try #require(child.output)
            descriptor = output.fileDescriptor
            var pollDescriptor = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            var text = Data()
            var endOfFile = false
            while !endOfFile && poll(&pollDescriptor, 1, 10_000) > 0 {
                let chunk = output.availableData
                if chunk.isEmpty { endOfFile = true } else { text.append(chunk) }
            }
            #expect(String(decoding: text, as: UTF8.self) == "done\n")
            #expect(endOfFile, "no end-of-file on the pipe: its writing end is still open somewhere")
            #expect(child.waitForEnd() == .exited(0))
        }
        #expect(fcntl(descriptor, F_GETFD) == -1, "descriptor \(descriptor) is still open")
    }

    /// The pid answers signal 0: a running process or a zombie.
    private static func isAlive(_ pid: Int32) -> Bool { kill(pid, 0) == 0 }

    private static func isZombie(_ pid: Int32) -> Bool {
        let stat = FileManager.default.contents(atPath: "/proc/\(pid)/stat").map { String(decoding: $0, as: UTF8.self) }
        return stat?.split(separator: ")").last?.split(separator: " ").first == "Z"
    }
}
