import Foundation

/// The two kinds of record the system syncs.
public enum RecordType: String, Codable, Hashable, Sendable, CaseIterable, Comparable {
    case post
    case annotation

    public static func < (lhs: RecordType, rhs: RecordType) -> Bool {
        // Posts sort first so that a batch creates a post before annotations that quote it.
        lhs == .post && rhs == .annotation
    }
}

/// Identifies a client replica (or the server, when it imports posts). Keys of a ``VersionVector``.
public struct ReplicaID: StringIdentifier {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    /// A new random replica id (a lowercase UUID).
    public static func random() -> ReplicaID { ReplicaID(UUID().uuidString.lowercased()) }
}

/// A post's id: stable for the same post, derived from its category and title.
public struct PostID: StringIdentifier {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    /// The id of the post with this category and title: 16 hex digits of a 64-bit FNV-1a hash
    /// of the normalised category and title, so importing the same post anywhere gives the same id.
    public static func derived(category: String, title: String) -> PostID {
        let key = normalise(category) + "\u{1F}" + normalise(title)
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return PostID(String(repeating: "0", count: 16 - hex.count) + hex)
    }

    private static func normalise(_ text: String) -> String {
        text.split(whereSeparator: \.isWhitespace).joined(separator: " ").lowercased()
    }

}

/// An annotation's id: a UUID made by the client that creates it, so creating one needs no server.
public struct AnnotationID: StringIdentifier {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    /// A new random annotation id (a lowercase UUID).
    public static func random() -> AnnotationID { AnnotationID(UUID().uuidString.lowercased()) }
}

/// An id that is a string on the wire and in the database: a JSON string, ordered and printed as its text.
public protocol StringIdentifier: RawRepresentable, Codable, Hashable, Sendable, Comparable,
    CustomStringConvertible
where RawValue == String {
    init(rawValue: String)
}

extension StringIdentifier {
    /// The id with this text.
    public init(_ rawValue: String) { self.init(rawValue: rawValue) }

    public var description: String { rawValue }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}
