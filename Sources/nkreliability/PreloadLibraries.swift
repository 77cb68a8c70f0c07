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

    /// libfiu's `fiu-run` and `fiu-ctrl` and its POSIX preload library (Debian `fiu-utils`, `libfiu0`).
    static func fiu() throws -> (run: String, control: String) {
        let needed = [
            "/usr/bin/fiu-run", "/usr/bin/fiu-ctrl", "/usr/lib/fiu/fiu_run_preload.so",
            "/usr/lib/fiu/fiu_posix_preload.so",
        ]
        let missing = needed.filter { !FileManager.default.fileExists(atPath: $0) }
        guard missing.isEmpty else {
            throw HarnessError(
                "libfiu is not installed (Debian: apt-get install fiu-utils libfiu0; missing \(missing.joined(separator: ", "))): "
                    + "the disk-fault suite cannot inject faults without it")
        }
        return (needed[0], needed[1])
    }
}
