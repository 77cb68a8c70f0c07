import Hummingbird

extension ServerError.Code {
    /// The HTTP status a response with this code carries.
    var httpStatus: HTTPResponse.Status {
        switch self {
        case .badRequest, .invalidJSON, .invalidCursor, .batchTooLarge, .invalidUserName, .invalidPost, .invalidCorpus:
            .badRequest
        case .unauthorized: .unauthorized
        case .forbidden, .replicaMismatch, .readOnly: .forbidden
        case .invalidGroupName: .badRequest
        case .notFound, .unknownUser, .unknownGroup: .notFound
        case .userExists, .groupExists, .alreadyMember, .notMember: .conflict
        case .rateLimited: .tooManyRequests
        case .bodyTooLarge: .contentTooLarge
        case .methodNotAllowed: .methodNotAllowed
        case .unsupportedMediaType: .unsupportedMediaType
        case .database, .unavailable: .serviceUnavailable
        default: .internalServerError
        }
    }
}
