import Foundation
import NKTestSupport

/// The shared-memory objects libfaketime would otherwise create itself.
///
/// When `FAKETIME_SHARED` is unset, libfaketime's constructor creates a semaphore and a shared
/// memory object and calls `setenv("FAKETIME_SHARED", ...)`, after which a Swift program on Linux
/// starts with an empty `CommandLine.arguments` (every `nkclient` command prints its help).
/// Handing it existing objects avoids the `setenv`.
final class FaketimeSharedMemory {
    let semaphore: String
    let memory: String

    init() throws {
        let tag = "nk-ft-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        semaphore = "/\(tag)-sem"
        memory = "/\(tag)-shm"
        guard let handle = sem_open(semaphore, O_CREAT, 0o600, 1), handle != SEM_FAILED else {
            throw HarnessError(
                "cannot create the semaphore \(semaphore) for libfaketime: \(String(cString: strerror(errno)))")
        }
        sem_close(handle)
        let descriptor = shm_open(memory, O_CREAT | O_RDWR, 0o600)
        guard descriptor >= 0, ftruncate(descriptor, 4096) == 0 else {
            sem_unlink(semaphore)
            throw HarnessError("cannot create the shared memory \(memory) for libfaketime")
        }
        close(descriptor)
    }

    /// The environment that runs a program with its wall clock moved by `offset` (`-5h`, `+7h`, `+0`).
    func environment(library: String, offset: String) -> [String: String] {
        [
            "LD_PRELOAD": library, "FAKETIME": offset, "FAKETIME_DONT_FAKE_MONOTONIC": "1",
            "FAKETIME_SHARED": "\(semaphore) \(memory)",
        ]
    }

    deinit {
        sem_unlink(semaphore)
        shm_unlink(memory)
    }
}
