import Hummingbird

extension ServerError.Code {
    /// The HTTP status a response with this code carries.
    var httpStatus: HTTPResponse.Status {
        switch self {
        case .badRequest, .invalidJSON, .invalidCursor, .batchTooLarge, .invalidUserName, .invalidPost, .invalidCorpus:
            .badRequest
        case .unauthorized: .unauthorized
        case .forbidden, .replicaMismatch, .readOnly: .forbidden
        case .notFound, .unknownUser: .notFound
        case .userExists: .conflict
        case .bodyTooLarge: .contentTooLarge
        default: .internalServerError
        }
    }
}
