import Foundation

/// Why a record version is not acceptable. `code` is stable (``ErrorCode/invalidRecord`` or
/// ``ErrorCode/invalidVersion``); `message` says what to fix.
public struct ValidationFailure: Error, Hashable, Sendable, CustomStringConvertible {
    public var code: ErrorCode
    public var message: String

    public init(code: ErrorCode = .invalidRecord, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}

/// The limits every record version must meet, checked by the server on each pushed item and by
/// the client before it writes a local edit, so a bad edit fails on the laptop rather than at sync.
public enum Limits {
    public static let maxIdLength = 64
    public static let maxVectorEntries = 256
    /// Counters stay exact in every JSON implementation below 2^53.
    public static let maxCounter: UInt64 = 1 << 53
    public static let maxNoteLength = 100_000
    public static let maxTags = 64
    public static let maxTagLength = 100
    public static let maxQuoteLength = 10_000
    public static let maxContextLength = 200
    public static let maxTitleLength = 1_000
    public static let maxParagraphs = 10_000
    public static let maxPostTextLength = 2_000_000
    public static let maxShortFieldLength = 2_000
    public static let maxUserNameLength = 64
}

/// Which checks ``RecordVersion/validate(_:)`` makes. Every check applies by default.
public struct ValidationRules: Hashable, Sendable {
    /// Refuse C0 and C1 control characters other than tab and newline (and DEL) in text fields.
    public var refusesControlCharacters: Bool

    public init(refusesControlCharacters: Bool = true) {
        self.refusesControlCharacters = refusesControlCharacters
    }

    /// Every check: what the server applies to a push and the client to a local edit.
    public static let all = ValidationRules()

    /// Every check but the control-character rule: what the client applies to a version it pulls.
    /// Versions stored before the server refused control characters must still sync; a terminal is
    /// protected from them by escaping on output (``TerminalText``), not by refusing them here.
    public static let pulled = ValidationRules(refusesControlCharacters: false)
}

extension RecordVersion {
    /// Checks ids, the version vector and every field against ``Limits`` and the text rules.
    public func validate(_ rules: ValidationRules = .all) throws(ValidationFailure) {
        try Self.validateVector(version)
        switch body {
        case .post(let post): try post.validate(rules)
        case .annotation(let annotation): try annotation.validate(rules)
        }
    }

    /// A vector must name at least one replica, with well-formed ids and counters below 2^53.
    public static func validateVector(_ vector: VersionVector) throws(ValidationFailure) {
        if vector.isEmpty {
            throw ValidationFailure(code: .invalidVersion, "the version vector is empty")
        }
        if vector.counters.count > Limits.maxVectorEntries {
            throw ValidationFailure(
                code: .invalidVersion, "the version vector has more than \(Limits.maxVectorEntries) entries")
        }
        for (replica, counter) in vector.counters {
            if !isPlainIdentifier(replica.rawValue) {
                throw ValidationFailure(
                    code: .invalidVersion,
                    "a version vector key is not a replica id (1 to \(Limits.maxIdLength) letters, digits, '.', '_' or '-')"
                )
            }
            if counter > Limits.maxCounter {
                throw ValidationFailure(code: .invalidVersion, "a version vector counter is larger than 2^53")
            }
        }
    }

    /// 1 to 64 ASCII letters, digits, `.`, `_` or `-`.
    public static func isPlainIdentifier(_ text: String) -> Bool {
        let utf8 = text.utf8
        guard !utf8.isEmpty, utf8.count <= Limits.maxIdLength else { return false }
        return utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == 0x2D || byte == 0x2E || byte == 0x5F
        }
    }
}

extension Post {
    /// Checks the id and every field against ``Limits`` and the text rules.
    public func validate(_ rules: ValidationRules = .all) throws(ValidationFailure) {
        guard RecordVersion.isPlainIdentifier(id.rawValue) else {
            throw ValidationFailure(
                "post id '\(id.rawValue.prefix(80))' is not 1 to 64 letters, digits, '.', '_' or '-'")
        }
        try checkText(title, "title", max: Limits.maxTitleLength, allowEmpty: false, rules)
        try checkText(category, "category", max: Limits.maxShortFieldLength, allowEmpty: false, rules)
        if body.count > Limits.maxParagraphs {
            throw ValidationFailure("a post has more than \(Limits.maxParagraphs) paragraphs")
        }
        var total = 0
        for paragraph in body {
            try checkText(paragraph, "body paragraph", max: Limits.maxPostTextLength, allowEmpty: true, rules)
            total += paragraph.unicodeScalars.count
        }
        if total > Limits.maxPostTextLength {
            throw ValidationFailure("the post body is longer than \(Limits.maxPostTextLength) characters")
        }
        for (name, value) in [
            ("source", source), ("editorNote", editorNote), ("linkText", linkText), ("author", author), ("date", date),
            ("url", url),
        ] {
            if let value { try checkText(value, name, max: Limits.maxShortFieldLength, allowEmpty: true, rules) }
        }
    }
}

extension Annotation {
    /// Checks the ids, the anchor (when there is one), the reply target and every field against ``Limits`` and the text rules.
    public func validate(_ rules: ValidationRules = .all) throws(ValidationFailure) {
        guard Self.isCanonicalUUID(id.rawValue) else {
            throw ValidationFailure("annotation id '\(id.rawValue.prefix(80))' is not a lowercase UUID")
        }
        guard RecordVersion.isPlainIdentifier(postId.rawValue) else {
            throw ValidationFailure(
                "post id '\(postId.rawValue.prefix(80))' is not 1 to 64 letters, digits, '.', '_' or '-'")
        }
        try checkText(note, "note", max: Limits.maxNoteLength, allowEmpty: true, rules)
        if tags.count > Limits.maxTags {
            throw ValidationFailure("an annotation has more than \(Limits.maxTags) tags")
        }
        for tag in tags {
            try checkText(tag, "tag", max: Limits.maxTagLength, allowEmpty: false, rules)
        }
        if tags != Annotation.normalisedTags(tags) {
            throw ValidationFailure("tags must be trimmed, sorted and unique")
        }
        if let anchor {
            try checkText(anchor.exact, "quote", max: Limits.maxQuoteLength, allowEmpty: false, rules)
            try checkText(anchor.prefix, "quote prefix", max: Limits.maxContextLength, allowEmpty: true, rules)
            try checkText(anchor.suffix, "quote suffix", max: Limits.maxContextLength, allowEmpty: true, rules)
            if anchor.start < 0 || anchor.end <= anchor.start || anchor.end > Limits.maxPostTextLength {
                throw ValidationFailure(
                    "the quote's offsets are out of range (start \(anchor.start), end \(anchor.end))")
            }
        }
        if let replyTo {
            guard Self.isCanonicalUUID(replyTo.rawValue) else {
                throw ValidationFailure("replyTo '\(replyTo.rawValue.prefix(80))' is not a lowercase UUID")
            }
            guard replyTo != id else { throw ValidationFailure("an annotation cannot reply to itself") }
            guard anchor == nil else {
                throw ValidationFailure("a reply has no quote: it is on the annotation it answers")
            }
        }
        try checkText(author, "author", max: Limits.maxUserNameLength, allowEmpty: true, rules)
    }

    /// `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` in lowercase hex.
    public static func isCanonicalUUID(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 36 else { return false }
        for (index, byte) in bytes.enumerated() {
            if [8, 13, 18, 23].contains(index) {
                if byte != 0x2D { return false }
            } else if !((byte >= 0x30 && byte <= 0x39) || (byte >= 0x61 && byte <= 0x66)) {
                return false
            }
        }
        return true
    }
}

/// Rejects text that is too long, empty where it must not be, or holds a NUL character (which C
/// string APIs, SQLite's among them, would silently cut at) or, under `rules`, another control
/// character: C0 but tab and newline (so CR too), DEL and C1, which a terminal would obey.
private func checkText(
    _ text: String, _ field: String, max: Int, allowEmpty: Bool, _ rules: ValidationRules
) throws(ValidationFailure) {
    if !allowEmpty && text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
        throw ValidationFailure("the \(field) is empty")
    }
    if text.unicodeScalars.count > max {
        throw ValidationFailure("the \(field) is longer than \(max) characters")
    }
    if text.unicodeScalars.contains("\u{0}") {
        throw ValidationFailure("the \(field) contains a NUL character")
    }
    if rules.refusesControlCharacters,
        let control = text.unicodeScalars.first(where: { TerminalText.isControl($0) && $0 != "\t" && $0 != "\n" })
    {
        let code = String(control.value, radix: 16, uppercase: true)
        throw ValidationFailure(
            "the \(field) contains a control character (U+\(String(repeating: "0", count: 4 - code.count))\(code)); "
                + "only tab and newline are allowed")
    }
}
