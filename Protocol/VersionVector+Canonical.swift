extension VersionVector {
    /// Reads the canonical text form back (`a:1,b:3`, see ``canonical``); nil when `text` is not
    /// exactly such a text (keys must be plain replica ids, counters positive, replicas sorted and
    /// distinct). The empty text is the empty vector.
    ///
    /// Stores keep the canonical text beside the JSON form; reading it is far cheaper than JSON
    /// decoding when only the vector is needed (the frontier rule).
    public init?(canonical text: String) {
        var counters: [ReplicaID: UInt64] = [:]
        guard !text.isEmpty else {
            self.init()
            return
        }
        var previous: Substring?
        for entry in text.utf8.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false) {
            guard let colon = entry.lastIndex(of: UInt8(ascii: ":")) else { return nil }
            let key = Substring(entry[entry.startIndex..<colon])
            let digits = entry[entry.index(after: colon)...]
            guard RecordVersion.isPlainIdentifier(String(key)), !digits.isEmpty, digits.count <= 20,
                digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
                let counter = UInt64(Substring(digits)), counter > 0
            else { return nil }
            if let previous, previous >= key { return nil }
            previous = key
            counters[ReplicaID(String(key))] = counter
        }
        self.init(counters)
    }
}
