import Foundation
import NKProtocol
import NKTestTraits
import Testing

/// `FileContents.read(atPath:)`: what the importers and the test harness read files with (the
/// empty-file leak it avoids shows only under LeakSanitizer: scripts/sanitizers.sh).
@Suite(.tags(.unit)) struct FileContentsTests {
    @Test func anEmptyFileIsEmptyDataNotAFailure() throws {
        let path = try Self.file(Data())
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(FileContents.read(atPath: path) == Data())
    }

    @Test func aFileReadsWhole() throws {
        let bytes = Data((0..<20_000).map { UInt8(truncatingIfNeeded: $0 * 7) })
        let path = try Self.file(bytes)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(FileContents.read(atPath: path) == bytes)
    }

    @Test func aMissingFileOrAFolderIsNil() {
        #expect(FileContents.read(atPath: "/nonexistent/nk-\(UUID().uuidString)") == nil)
        #expect(FileContents.read(atPath: FileManager.default.temporaryDirectory.path) == nil)
    }

    private static func file(_ contents: Data) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("nk-fc-\(UUID().uuidString)").path
        try contents.write(to: URL(fileURLWithPath: path))
        return path
    }
}
