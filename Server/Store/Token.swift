import Crypto
import Foundation

/// Bearer tokens: 256 random bits as lowercase hex. Only their SHA-256 is stored.
enum Token {
    /// A new token from the system's secure random number generator.
    static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<4).map { _ in
            let word: UInt64 = generator.next()
            let hex = String(word, radix: 16)
            return String(repeating: "0", count: 16 - hex.count) + hex
        }.joined()
    }

    /// The SHA-256 of the token's UTF-8 bytes, as lowercase hex.
    static func hash(_ token: String) -> String {
        hex(SHA256.hash(data: Data(token.utf8)))
    }

    /// Bytes as lowercase hex, two digits each.
    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}
