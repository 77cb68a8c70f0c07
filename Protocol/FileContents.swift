import Foundation

/// Whole-file reads that leak nothing on Linux.
///
/// `FileManager.contents(atPath:)`, `Data(contentsOf:)` and `String(contentsOf:)` go through
/// swift-foundation's `readBytesFromFile`, which on Linux allocates a 4 KiB buffer for a file whose
/// size is 0 and, when nothing is read, returns an empty `Data` without freeing it. LeakSanitizer
/// found it when `nkserver import` read an empty file and in the harness's empty stderr captures
/// (scripts/sanitizers.sh); a program reading one empty file five times that way leaks 5 × 4096
/// bytes, through `FileHandle` none.
///
/// ``CorpusParser/read(_:)`` reads corpus files with it; it is public for the test harness and
/// nkreliability, which read captured output and `/proc` files with it.
public enum FileContents {
    /// The bytes of the file at `path` (empty for an empty file), or nil when it cannot be opened
    /// or read.
    public static func read(atPath path: String) -> Data? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        do {
            return try handle.readToEnd() ?? Data()
        } catch {
            return nil
        }
    }
}
