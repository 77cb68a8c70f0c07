import Hummingbird
import NKProtocol

extension HTTPFields.Element.Name {
    /// `Allow`: the methods a path answers, on a 405.
    static let allow = Self("Allow")!
}

/// Tells a wrong method on a known path (405 `method_not_allowed` with `Allow`, RFC 9110 §15.5.6)
/// from an unknown path (404), which Hummingbird's router does not: it answers 404 to both.
///
/// Added to the router after the routes, so it only wraps the router's not-found responder.
struct MethodNotAllowedMiddleware<Context: RequestContext>: RouterMiddleware {
    /// One routed path and the methods it answers.
    private struct Route: Sendable {
        var path: RouterPath
        var methods: Set<HTTPRequest.Method>
    }

    private let routes: [Route]

    /// - Parameter routes: the router's routes, as `Router.routes` lists them.
    init(routes: [(path: RouterPath, method: HTTPRequest.Method)]) {
        var table: [Route] = []
        for route in routes {
            if let index = table.firstIndex(where: { $0.path == route.path }) {
                table[index].methods.insert(route.method)
            } else {
                table.append(Route(path: route.path, methods: [route.method]))
            }
        }
        self.routes = table
    }

    /// The methods routed for `path`, sorted; empty when no route has this path. Segments match as
    /// the router matches them (`{id}` matches any segment).
    func allowedMethods(path: String) -> [HTTPRequest.Method] {
        // The router splits the same way: empty segments (`//`, a trailing `/`) are skipped.
        let segments = path.split(separator: "/")
        var methods: Set<HTTPRequest.Method> = []
        for route in routes where route.path.components.count == segments.count {
            if zip(route.path.components, segments).allSatisfy({ $0 ~= $1 }) {
                methods.formUnion(route.methods)
            }
        }
        return methods.sorted { $0.rawValue < $1.rawValue }
    }

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            let allowed = allowedMethods(path: request.uri.path)
            guard !allowed.isEmpty, !allowed.contains(request.method) else { throw error }
            let names = allowed.map(\.rawValue).joined(separator: ", ")
            var response = Response.error(
                ErrorResponse(
                    code: .methodNotAllowed,
                    message: "this path does not answer this method; it answers \(names)"),
                status: .methodNotAllowed)
            response.headers[.allow] = names
            return response
        }
    }
}
