import Foundation
import Logging
import Synchronization

/// A swift-log handler that writes one JSON object per line to standard error (`nkserver serve
/// --log-format json`), for log collectors: `{"label","level","message","metadata","source","time"}`,
/// keys sorted, `time` in ISO 8601 with milliseconds (UTC), `metadata` merged from the logger's and the
/// call's, every value a string, array or object.
public struct JSONLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String

    public init(label: String, metadataProvider: Logger.MetadataProvider? = nil) {
        self.label = label
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        var object: [String: Any] = [
            "time": Self.timestamp(Date()), "level": event.level.rawValue, "label": label,
            "message": event.message.description, "source": event.source,
        ]
        if !merged.isEmpty { object["metadata"] = merged.mapValues(Self.json) }
        let options: JSONSerialization.WritingOptions = [.sortedKeys, .withoutEscapingSlashes]
        guard var line = try? JSONSerialization.data(withJSONObject: object, options: options) else { return }
        line.append(UInt8(ascii: "\n"))
        Self.output.withLock { _ in FileHandle.standardError.write(line) }
    }

    /// One line at a time, whichever thread logs.
    private static let output = Mutex(())

    static func json(_ value: Logger.Metadata.Value) -> Any {
        switch value {
        case .string(let text): text
        case .stringConvertible(let convertible): convertible.description
        case .array(let values): values.map(json)
        case .dictionary(let values): values.mapValues(json)
        }
    }

    static func timestamp(_ date: Date) -> String {
        date.formatted(
            .iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
    }
}

/// How `nkserver` writes its logs, chosen by `serve --log-format` before any logger is made: the
/// handler factory that `nkserver` bootstraps swift-log with reads it for each new logger.
public enum LogFormat: String, Sendable, CaseIterable {
    /// swift-log's `StreamLogHandler` on standard error: one readable line per event.
    case text
    /// ``JSONLogHandler``.
    case json

    private static let chosen = Mutex(LogFormat.text)

    public static var current: LogFormat {
        get { chosen.withLock { $0 } }
        set { chosen.withLock { $0 = newValue } }
    }

    /// The handler for a new logger, in the current format.
    public static func handler(label: String) -> any LogHandler {
        switch current {
        case .text: StreamLogHandler.standardError(label: label)
        case .json: JSONLogHandler(label: label)
        }
    }
}
