import Foundation
import NKTestTraits
import PropertyBased
import Testing

@testable import NKProtocol

/// The wire's date coding must be exactly Foundation's `.iso8601`, only faster.
@Suite(.tags(.unit)) struct WireDateTests {
    private struct Box: Codable, Equatable { var at: Date }

    private static func foundationEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }

    private static func foundationDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }

    /// Seconds from year 1 to 9999, with fractions, negative ones (before 1970) included.
    private static let instants = Gen.double(in: -62_135_596_800...253_402_300_799)

    @Test func encodingWritesWhatFoundationWrites() async throws {
        let ours = Wire.makeEncoder()
        let theirs = Self.foundationEncoder()
        ours.outputFormatting = []
        await propertyCheck(count: 2000, input: Self.instants) { seconds in
            let box = Box(at: Date(timeIntervalSince1970: seconds))
            let mine = try? ours.encode(box)
            let foundation = try? theirs.encode(box)
            #expect(
                mine != nil && mine == foundation,
                "\(seconds): \(String(decoding: mine ?? Data(), as: UTF8.self)) vs \(String(decoding: foundation ?? Data(), as: UTF8.self))"
            )
        }
        for seconds in [0, -1, -0.5, 0.999, 951_782_400, 951_868_799.9, 1_700_000_000, 4_107_542_399] as [Double] {
            let box = Box(at: Date(timeIntervalSince1970: seconds))
            #expect(try ours.encode(box) == theirs.encode(box), "\(seconds)")
        }
    }

    @Test func decodingReadsWhatFoundationReads() async throws {
        let theirs = Self.foundationEncoder()
        await propertyCheck(count: 2000, input: Self.instants) { seconds in
            guard let data = try? theirs.encode(Box(at: Date(timeIntervalSince1970: seconds))) else {
                Issue.record("Foundation cannot encode \(seconds)")
                return
            }
            let mine = try? Wire.makeDecoder().decode(Box.self, from: data)
            let foundation = try? Self.foundationDecoder().decode(Box.self, from: data)
            #expect(
                mine != nil && mine == foundation,
                "\(seconds): \(String(describing: mine)) vs \(String(describing: foundation)) from \(String(decoding: data, as: UTF8.self))"
            )
        }
    }

    @Test(arguments: [
        "2024-03-01T12:30:05Z", "2024-02-29T00:00:00Z", "2023-02-29T00:00:00Z", "2024-04-31T00:00:00Z",
        "2024-13-01T00:00:00Z", "2024-00-10T00:00:00Z", "2024-03-01T24:00:00Z", "2024-03-01T23:60:00Z",
        "2024-03-01T23:59:60Z", "2024-03-01T12:30:05+02:00", "2024-03-01T12:30:05.250Z", "2024-03-01 12:30:05Z",
        "2024-03-01T12:30:05z", "2024-03-01T12:30:05", "0000-01-01T00:00:00Z", "1900-02-29T00:00:00Z",
        "2000-02-29T00:00:00Z", "９９９９-01-01T00:00:00Z", "2024-3-01T12:30:05Z", "", "yesterday",
    ])
    func oddTextIsAcceptedOrRefusedAsFoundationDoes(text: String) throws {
        let data = Data(#"{"at":"\#(text)"}"#.utf8)
        let theirs = try? Self.foundationDecoder().decode(Box.self, from: data)
        let ours = try? Wire.makeDecoder().decode(Box.self, from: data)
        #expect(ours == theirs, "\(text): ours \(String(describing: ours)), Foundation's \(String(describing: theirs))")
        // Search reads dates out of stored JSON with Wire.date(from:): it reads what the decoder reads.
        #expect(Wire.date(from: text) == ours?.at, "\(text)")
    }
}
