/// Why annotations could not be exported as W3C Web Annotations.
public enum W3CExportError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The base URL is not an absolute IRI (`https://example.org/nk`).
    case invalidBaseURL(String)
    /// Two annotations have the same id, so their W3C ids would not identify them.
    case duplicateAnnotation(AnnotationID)
    /// The JSON encoder failed (it cannot for the values exported; kept so nothing is hidden).
    case encodingFailed(String)

    public var description: String {
        switch self {
        case .invalidBaseURL(let url):
            "the base URL '\(url.prefix(200))' is not absolute; give one with a scheme, such as https://example.org/nk"
        case .duplicateAnnotation(let id):
            "annotation \(id.rawValue.prefix(80)) occurs twice; export each annotation once"
        case .encodingFailed(let reason): "the W3C JSON could not be encoded: \(reason)"
        }
    }
}
