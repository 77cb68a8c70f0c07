import Foundation
import NKProtocol

/// The TCP sockets of this machine that listen on a port, from /proc/net/tcp and /proc/net/tcp6.
enum ListeningSockets {
    /// The local addresses listening on `port`: dotted IPv4 (`127.0.0.1`, `0.0.0.0` for every
    /// interface), IPv6 as the kernel's 32 hex digits.
    static func addresses(port: Int) -> [String] {
        ["/proc/net/tcp", "/proc/net/tcp6"].flatMap { path -> [String] in
            // (FileContents: /proc files say they are empty, and String(contentsOfFile:) leaks on those.)
            let text = FileContents.read(atPath: path).map { String(decoding: $0, as: UTF8.self) } ?? ""
            return text.split(separator: "\n").dropFirst().compactMap { line -> String? in
                // sl local_address rem_address st ...; st 0A is LISTEN.
                let fields = line.split(separator: " ")
                guard fields.count > 3, fields[3] == "0A" else { return nil }
                let local = fields[1].split(separator: ":")
                guard local.count == 2, Int(local[1], radix: 16) == port else { return nil }
                return dotted(String(local[0]))
            }
        }
    }

    /// `0100007F` (the kernel writes an IPv4 address as a host-order word) as `127.0.0.1`; an IPv6
    /// address unchanged.
    private static func dotted(_ hex: String) -> String {
        guard hex.count == 8, let word = UInt32(hex, radix: 16) else { return hex }
        let bytes = withUnsafeBytes(of: word) { Array($0) }  // host order: the address's own byte order
        return bytes.map(String.init).joined(separator: ".")
    }
}
