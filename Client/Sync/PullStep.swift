import NKProtocol

/// Pure checks of one pull page.
enum PullStep {
    /// What to do after a page.
    enum Next: Hashable, Sendable {
        /// Ask again from this cursor.
        case continueFrom(Int64)
        /// The pull is complete; the cursor is this.
        case done(Int64)
    }

    /// Checks that the page moves forward and says what comes next.
    ///
    /// - Parameters:
    ///   - limit: the page size asked for. An honest server's page that says `more` holds `limit`
    ///     stored changes (entries it may not send still count), so its cursor moves by at least
    ///     `limit`; one that moves less would let a server keep a client pulling for ever.
    ///   - bound: how far this pull may go (``PullBound``).
    /// - Throws: a ``ServerSentCheck/Refusal`` when the server's cursor goes backwards, a page ends
    ///   after its own cursor, or the server says there is more without moving far enough or
    ///   past the bound.
    static func next(after cursor: Int64, page: PullResponse, limit: Int, bound: PullBound?)
        throws(ServerSentCheck.Refusal) -> Next
    {
        guard page.next >= cursor else {
            throw .init(reason: "the change cursor went backwards, from \(cursor) to \(page.next)")
        }
        if let last = page.changes.last?.seq, last > page.next {
            throw .init(reason: "the change page ends after its own cursor")
        }
        guard page.more else { return .done(page.next) }
        guard page.next - cursor >= Int64(limit) else {
            throw .init(
                reason:
                    "it said more changes follow after a page that covered \(page.next - cursor) of the \(limit) asked for"
            )
        }
        if let bound, page.next >= bound.limit {
            throw .init(
                reason:
                    "it kept saying more changes follow past \(page.next); it had \(bound.latest) when this sync began. "
                    + "What was pulled is kept; sync again")
        }
        return .continueFrom(page.next)
    }
}
