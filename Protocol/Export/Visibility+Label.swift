extension Visibility {
    /// `shared`, `group NAME` or `private`: who may see a note, in words.
    public var label: String {
        switch self {
        case .shared: "shared"
        case .private: "private"
        case .group(let name): "group \(name)"
        }
    }
}
