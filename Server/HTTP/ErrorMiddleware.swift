import Hummingbird
import Logging
import NKProtocol

/// Turns every error into `{"error":{"code","message"}}` with its status, and stamps every
/// response with `NK-Protocol`. Internal errors are logged by type and answered without detail.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let maxBodyBytes: Int

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            response = self.response(for: error, logger: context.logger)
        }
        response.headers[.nkProtocol] = String(Wire.protocolVersion)
        return response
    }

    func response(for error: any Error, logger: Logger) -> Response {
        switch error {
        case let error as ServerError:
            let status = error.code.httpStatus
            if status == .internalServerError {
                return internalError(error.underlying ?? error, logger: logger)
            }
            if status == .serviceUnavailable {
                return unavailable(error, logger: logger)
            }
            var response = Response.error(
                ErrorResponse(code: error.code.errorCode, message: error.message), status: status)
            if status == .unauthorized {
                response.headers[.wwwAuthenticate] = "Bearer"
            }
            return response
        case let error as DecodingError:
            return Response.error(
                ErrorResponse(code: .invalidJSON, message: error.summary), status: .badRequest)
        case let error as any HTTPResponseError:
            return response(forStatus: error.status, logger: logger, error: error)
        default:
            return internalError(error, logger: logger)
        }
    }

    /// Hummingbird's own errors: unknown routes, bodies over the limit.
    private func response(forStatus status: HTTPResponse.Status, logger: Logger, error: any Error) -> Response {
        let code: ServerError.Code
        let message: String
        switch status {
        case .notFound:
            (code, message) = (.notFound, "no such endpoint; see docs/DESIGN.md for the API")
        case .methodNotAllowed:
            (code, message) = (.methodNotAllowed, "this endpoint does not answer this method")
        case .unsupportedMediaType:
            (code, message) = (.unsupportedMediaType, "the request body must be JSON (Content-Type: application/json)")
        case .contentTooLarge:
            (code, message) = (
                .bodyTooLarge, "the request body is larger than \(maxBodyBytes) bytes; push fewer versions"
            )
        case .unauthorized:
            (code, message) = (.unauthorized, "this endpoint needs a valid bearer token")
        case .forbidden:
            (code, message) = (.forbidden, "this is not allowed")
        default:
            guard status.kind == .clientError else { return internalError(error, logger: logger) }
            (code, message) = (.badRequest, "the request is malformed (\(status.code))")
        }
        return Response.error(ErrorResponse(code: code.errorCode, message: message), status: code.httpStatus)
    }

    /// The store failed (a database that is down, a disk that refuses writes): the transaction was
    /// rolled back, so the client may simply try again. Logged with the store's message, which names
    /// no request data; answered without it.
    private func unavailable(_ error: ServerError, logger: Logger) -> Response {
        ServerMetrics.recordStoreError(.unavailable)
        logger.error(
            "Store unavailable",
            metadata: [
                "nk.error.message": "\(error.message)",
                "nk.error.type": "\(String(reflecting: type(of: error.underlying ?? error)))",
            ])
        var response = Response.error(
            ErrorResponse(
                code: .unavailable,
                message: "the server's database is unavailable; nothing was changed, try again in a moment"),
            status: .serviceUnavailable)
        response.headers[.retryAfter] = String(Self.retryAfterSeconds)
        return response
    }

    /// What a 503 asks the client to wait, in seconds.
    static var retryAfterSeconds: Int { 2 }

    private func internalError(_ error: any Error, logger: Logger) -> Response {
        ServerMetrics.recordStoreError(.internal)
        logger.error("Request failed", metadata: ["nk.error.type": "\(String(reflecting: type(of: error)))"])
        return Response.error(
            ErrorResponse(code: .internal, message: "the server failed; try again later"),
            status: .internalServerError)
    }
}
