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
    /// - Throws: ``ClientError/Code/badResponse`` when the server's cursor goes backwards, or says
    ///   there is more without moving (which would loop forever).
    static func next(after cursor: Int64, page: PullResponse) throws(ClientError) -> Next {
        guard page.next >= cursor else {
            throw ClientError(
                .badResponse, "the server's change cursor went backwards (from \(cursor) to \(page.next))")
        }
        if let last = page.changes.last?.seq, last > page.next {
            throw ClientError(.badResponse, "the server's change page ends after its own cursor")
        }
        if page.more {
            guard page.next > cursor else {
                throw ClientError(.badResponse, "the server said more changes follow but its cursor did not move")
            }
            return .continueFrom(page.next)
        }
        return .done(page.next)
    }
}
