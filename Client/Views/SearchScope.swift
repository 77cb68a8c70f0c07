import Foundation
import NKProtocol

/// What `search` keeps besides its query and ``NoteFilter``, and in which order it gives the hits.
public struct SearchScope: Hashable, Sendable {
    /// How hits are ordered.
    public enum Order: String, Hashable, Sendable, CaseIterable {
        /// Best match first (bm25).
        case rank
        /// Newest first: a post by the day of its byline, a note by when it was written; undated posts
        /// last, by rank.
        case date
    }

    /// Only hits dated on or after this day (00:00 UTC).
    public var since: Date?
    /// Only hits dated on or before this day (through 23:59:59 UTC).
    public var until: Date?
    /// Only notes with this visibility, and posts that carry one.
    public var visibility: Visibility?
    public var order: Order

    public init(since: Date? = nil, until: Date? = nil, visibility: Visibility? = nil, order: Order = .rank) {
        self.since = since
        self.until = until
        self.visibility = visibility
        self.order = order
    }

    /// Whether a hit dated `date` (nil: undated) is within ``since`` and ``until``. An undated hit is
    /// only kept when neither is set.
    func contains(_ date: Date?) -> Bool {
        guard since != nil || until != nil else { return true }
        guard let date else { return false }
        if let since, date < since { return false }
        if let until, date >= until.addingTimeInterval(24 * 60 * 60) { return false }
        return true
    }
}
