import Foundation

extension Post {
    /// The day of the post's byline (``date``), at 00:00 UTC, when it reads as a date: `2 May 2024`,
    /// `12 March 2024`, `May 2, 2024`, `2 Jan 2024` or `2024-05-02`. Nil for posts without a date, and
    /// for a date in another form (it is still shown as written).
    public var day: Date? { date.flatMap(Self.day(from:)) }

    /// The day `text` names (see ``day``), at 00:00 UTC.
    public static func day(from text: String) -> Date? {
        var components = DateComponents()
        let iso = text.split(separator: "-")
        if iso.count == 3, let year = Int(iso[0]), let month = Int(iso[1]), let day = Int(iso[2]), iso[0].count == 4 {
            (components.year, components.month, components.day) = (year, month, day)
        } else {
            for word in text.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "." }) {
                if let number = Int(word) {
                    if word.count == 4 { components.year = number } else { components.day = number }
                } else if word.count >= 3, let month = monthNames.firstIndex(where: { $0.hasPrefix(word.lowercased()) })
                {
                    components.month = month + 1
                } else {
                    return nil
                }
            }
        }
        guard let year = components.year, let month = components.month, let day = components.day,
            (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .gmt
        let date = calendar.date(from: DateComponents(year: year, month: month, day: day))
        // 31 February is not a day: the calendar would roll it over into March.
        return date.flatMap { calendar.component(.day, from: $0) == day ? $0 : nil }
    }

    private static let monthNames = [
        "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
        "november", "december",
    ]
}
