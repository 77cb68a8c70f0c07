import Foundation
import NKTestSupport

/// The Debian libraries the clock-skew and disk-fault suites preload into the real binaries.
///
/// A missing library is an error naming the packages: these suites fail without them, never pass.
enum PreloadLibraries {
    /// libfaketime (Debian `faketime`, `libfaketime`): `$NK_LIBFAKETIME`, else the multiarch folders.
    static func faketime() throws -> String {
        if let path = ProcessInfo.processInfo.environment["NK_LIBFAKETIME"], !path.isEmpty {
            guard FileManager.default.fileExists(atPath: path) else {
                throw HarnessError("NK_LIBFAKETIME names \(path), which does not exist")
            }
            return path
        }
        let libraries = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib")) ?? []
        let candidates =
            libraries.filter { $0.hasSuffix("-linux-gnu") }.sorted().map { "/usr/lib/\($0)/faketime/libfaketime.so.1" }
            + ["/usr/lib/faketime/libfaketime.so.1", "/usr/local/lib/faketime/libfaketime.so.1"]
        guard let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
            throw HarnessError(
                "libfaketime is not installed (Debian: apt-get install faketime libfaketime): "
                    + "the clock-skew suite cannot skew a clock without it")
        }
        return found
    }

    /// libfiu's remote control `fiu-ctrl` and its two preload libraries (Debian `fiu-utils`, `libfiu0`).
    static func fiu() throws -> Fiu {
        let fiu = Fiu(
            control: "/usr/bin/fiu-ctrl", runPreload: "/usr/lib/fiu/fiu_run_preload.so",
            posixPreload: "/usr/lib/fiu/fiu_posix_preload.so")
        let needed = [fiu.control, fiu.runPreload, fiu.posixPreload]
        let missing = needed.filter { !FileManager.default.fileExists(atPath: $0) }
        guard missing.isEmpty else {
            throw HarnessError(
                "libfiu is not installed (Debian: apt-get install fiu-utils libfiu0; missing \(missing.joined(separator: ", "))): "
                    + "the disk-fault suite cannot inject faults without it")
        }
        return fiu
    }
}

/// How a program runs under libfiu.
struct Fiu {
    /// `fiu-ctrl`: enables and disables fault points in a running program.
    let control: String
    let runPreload: String
    let posixPreload: String

    /// The environment `fiu-run -x` gives a program — libfiu's POSIX wrappers, `commands` applied from
    /// the start, remote control on `fifo` (none when empty) — plus ``unwinderRule``.
    func environment(enabling commands: [String], fifo: String = "") -> [String: String] {
        [
            "LD_PRELOAD": "\(runPreload) \(posixPreload)",
            "FIU_ENABLE": ([Self.unwinderRule] + commands).joined(separator: "\n"),
            "FIU_CTRL_FIFO": fifo,
        ]
    }

    /// A rule on a point nothing checks, so it never fails a call. What it is for: libfiu applies a
    /// stack rule by calling glibc's `backtrace()`, which loads glibc's unwinder (libgcc_s) while the
    /// program is still one thread, in libfiu's start-up code.
    ///
    /// Without it, about one program start in two thousand under load deadlocked inside libfiu
    /// (RELIABILITY.md, suite 10: the one hang). A Swift program with an async `main` ends its main
    /// thread at once (`dispatch_main` → `pthread_exit`), and glibc's `pthread_exit` loads the
    /// unwinder the first time: holding the loader lock it calls `malloc`, which libfiu wraps and
    /// which waits for libfiu's lock. At the same moment another thread makes its first wrapped call,
    /// and libfiu, holding that lock, looks up the real `strdup` for that thread with `dlsym`, which
    /// waits for the loader lock. With the unwinder loaded before any thread starts, `pthread_exit`
    /// loads nothing. Seen in gdb in three hung `nkclient sync`s; `LD_DEBUG=files` shows the load
    /// moving from after `transferring control` to libfiu's start-up with this rule.
    static let unwinderRule = "enable_stack_by_name name=nk/harness/unwinder,func_name=abort,pos_in_stack=-1"
}
