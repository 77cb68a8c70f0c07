import Foundation
import Hummingbird
import Logging
import NKProtocol
import ServiceLifecycle

/// The endpoints of protocol version 1 (see `docs/DESIGN.md`).
struct SyncRoutes: Sendable {
    let store: any ServerStore
    let configuration: ServerConfiguration

    func add(to router: Router<SyncRequestContext>) {
        router.get("health", use: health)
        router.get("ready", use: ready)
        router.get("openapi.json") { _, _ in try OpenAPIDocument.response() }
        let failures =
            configuration.failedAuthRate > 0
            ? RateLimiter<String>(rate: configuration.failedAuthRate, burst: configuration.failedAuthBurst) : nil
        let v1 = router.group("v1").add(middleware: AuthMiddleware(store: store, failures: failures))
        if configuration.rateLimit > 0 {
            v1.add(
                middleware: RateLimitMiddleware(
                    limiter: RateLimiter(rate: configuration.rateLimit, burst: configuration.rateLimitBurst)))
        }
        v1.get("me", use: me)
        v1.post("push", use: push)
        v1.get("changes", use: changes)
        v1.get("records/:type/:id", use: record)
        v1.get("history/:type/:id", use: history)
        v1.get("wait", use: wait)
    }

    /// `GET /health`: `ok` only when the store answers a read and its disk has room
    /// (``ServerConfiguration/minimumFreeDiskBytes``); otherwise 503 with the reason.
    @Sendable func health(_ request: Request, context: SyncRequestContext) async throws -> Response {
        let facts: StorageFacts
        do {
            facts = try await store.storageFacts()  // a read of the store
        } catch {
            context.logger.warning("Health check: the store does not answer", metadata: ["nk.error": "\(error)"])
            return try Self.unavailable("the store does not answer")
        }
        if let free = facts.freeDiskBytes, free < configuration.minimumFreeDiskBytes {
            let reason =
                "the disk of the store has \(free / 1_048_576) MiB left, below \(configuration.minimumFreeDiskBytes / 1_048_576) MiB"
            context.logger.warning("Health check: \(reason)")
            return try Self.unavailable(reason)
        }
        return try .json(HealthResponse())
    }

    /// 503 with `{"status":"unavailable","reason":…}`, as `/health` and `/ready` answer.
    static func unavailable(_ reason: String) throws -> Response {
        try .json(HealthResponse(status: "unavailable", reason: reason), status: .serviceUnavailable)
    }

    /// `GET /ready`, for load balancers: `ok` once the server serves and the store answers a read;
    /// 503 while it shuts down or when the store does not answer.
    @Sendable func ready(_ request: Request, context: SyncRequestContext) async throws -> Response {
        guard !Task.isShuttingDownGracefully else {
            return try Self.unavailable("shutting down")
        }
        do {
            _ = try await store.latestSequence()
        } catch {
            return try Self.unavailable("the store does not answer")
        }
        return try .json(HealthResponse())
    }

    @Sendable func me(_ request: Request, context: SyncRequestContext) async throws -> Response {
        let user = try context.requireUser()
        return try .json(MeResponse(user: user.name, readOnly: user.readOnly))
    }

    @Sendable func push(_ request: Request, context: SyncRequestContext) async throws -> Response {
        let user = try context.requireUser()
        try Self.requireJSON(request)
        let body = try await collectBody(request)
        let push = try PushRequest.decode(body: body)
        guard push.versions.count <= configuration.maxPushBatch else {
            throw ServerError(
                .batchTooLarge,
                "a push holds at most \(configuration.maxPushBatch) versions, this one \(push.versions.count); split it"
            )
        }
        let results = try await store.push(user: user, replica: push.replica, versions: push.versions)
        ServerMetrics.recordPush(results)
        context.logger.info(
            "Applied push",
            metadata: [
                "nk.replica": .string(push.replica.rawValue),
                "nk.push.count": "\(results.count)",
                "nk.push.rejected": "\(results.count { $0.status == .rejected })",
            ])
        return try .json(PushResponse(results: results))
    }

    @Sendable func changes(_ request: Request, context: SyncRequestContext) async throws -> Response {
        let user = try context.requireUser()
        let query = request.uri.queryParameters
        var since: Int64 = 0
        if let text = query["since"] {
            guard let value = Int64(text), value >= 0 else {
                throw ServerError(.invalidCursor, "'since' must be a sequence number (0 or more) from an earlier pull")
            }
            since = value
        }
        var limit = configuration.defaultPullLimit
        if let text = query["limit"] {
            guard let value = Int(text), (1...configuration.maxPullLimit).contains(value) else {
                throw ServerError(.badRequest, "'limit' must be a number from 1 to \(configuration.maxPullLimit)")
            }
            limit = value
        }
        var replica: ReplicaID?
        if let text = query["replica"] {
            guard RecordVersion.isPlainIdentifier(String(text)) else {
                throw ServerError(
                    .badRequest, "'replica' must be 1 to \(Limits.maxIdLength) letters, digits, '.', '_' or '-'")
            }
            replica = ReplicaID(String(text))
        }
        // Spliced from the stored JSON: the same PullResponse, without decoding and encoding each version.
        // A client that does not say it reads notes on whole posts and replies (one from before them)
        // is sent neither: it could not decode them (Wire.features).
        let threads = request.headers[values: .nkFeatures].contains { value in
            value.split(separator: ",").contains { $0.trimmingCharacters(in: .whitespaces) == "threads" }
        }
        var page = try await store.changesJSON(user: user, since: since, limit: limit, threads: threads)
        if let replica {
            let highWater = try await store.replicaHighWater(user: user, replica: replica)
            page = PullPageJSON.adding(replicaHighWater: highWater, to: page)
        }
        ServerMetrics.recordPullPage()
        return .json(bytes: page)
    }

    @Sendable func record(_ request: Request, context: SyncRequestContext) async throws -> Response {
        let user = try context.requireUser()
        guard let type = context.parameters.get("type", as: RecordType.self) else {
            throw ServerError(.notFound, "the record type must be 'post' or 'annotation'")
        }
        let id = try context.parameters.require("id")
        let versions = try await store.record(user: user, type: type, id: id)
        return try .json(RecordResponse(versions: versions))
    }

    @Sendable func history(_ request: Request, context: SyncRequestContext) async throws -> Response {
        let user = try context.requireUser()
        guard let type = context.parameters.get("type", as: RecordType.self) else {
            throw ServerError(.notFound, "the record type must be 'post' or 'annotation'")
        }
        let id = try context.parameters.require("id")
        return try .json(HistoryResponse(versions: try await store.history(user: user, type: type, id: id)))
    }

    @Sendable func wait(_ request: Request, context: SyncRequestContext) async throws -> Response {
        let user = try context.requireUser()
        let query = request.uri.queryParameters
        guard let sinceText = query["since"], let since = Int64(sinceText), since >= 0 else {
            throw ServerError(.badRequest, "'since' must be a sequence number (0 or more) from an earlier pull")
        }
        var seconds = Wire.defaultWaitSeconds
        if let text = query["timeout"] {
            guard let value = Int(text), (0...Wire.maxWaitSeconds).contains(value) else {
                throw ServerError(.badRequest, "'timeout' must be a number of seconds from 0 to \(Wire.maxWaitSeconds)")
            }
            seconds = value
        }
        let store = self.store
        let recheck = configuration.waitRecheck
        let slice = configuration.waitTokenRecheck
        let token = request.headers[.authorization].flatMap(AuthMiddleware.bearerToken)
        // The token was valid when the wait began; it may be revoked or rotated while the wait
        // lasts. The wait runs in slices, and the token is checked again after each and before the
        // answer, so a wait never reports changes to a token that no longer works.
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(seconds)
        ServerMetrics.longPollStarted()
        defer { ServerMetrics.longPollEnded() }
        var answer: WaitResponse
        repeat {
            let remaining = clock.now.duration(to: deadline)
            // A graceful shutdown cancels the wait, which then answers `changed: false` at once.
            answer = try await cancelWhenGracefulShutdown {
                try await store.waitForChanges(
                    since: since, timeout: max(.zero, min(remaining, slice)), recheck: recheck)
            }
            guard let token, try await store.authenticate(token: token)?.id == user.id else {
                throw ServerError(.unauthorized, "the token was revoked or replaced while waiting; log in again")
            }
        } while !answer.changed && !Task.isCancelled && !Task.isShuttingDownGracefully && clock.now < deadline
        return try .json(answer)
    }

    /// Refuses a body declared as anything but JSON (415); one without `Content-Type` is read as JSON.
    static func requireJSON(_ request: Request) throws {
        guard let declared = request.headers[.contentType] else { return }
        let mediaType = declared.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false)[0]
            .trimmingCharacters(in: .whitespaces).lowercased()
        guard mediaType == "application/json" else {
            throw ServerError(
                .unsupportedMediaType, "the request body must be JSON: send 'Content-Type: application/json'")
        }
    }

    /// The whole body, refused when over the limit: exactly `maxBodyBytes` is accepted.
    private func collectBody(_ request: Request) async throws -> Data {
        let tooLarge = ServerError(
            .bodyTooLarge, "the request body is larger than \(configuration.maxBodyBytes) bytes; push fewer versions")
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > configuration.maxBodyBytes {
            throw tooLarge
        }
        var request = request
        do {
            let buffer = try await request.collectBody(upTo: configuration.maxBodyBytes)
            return Data(buffer.readableBytesView)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            throw tooLarge
        } catch let error as any HTTPResponseError {
            throw error
        } catch {
            // The body stopped short (the client closed the connection, or the idle timeout did) or
            // broke HTTP's framing: the request's fault, not the server's, so not an internal error.
            throw ServerError(.badRequest, "the request body ended early or is not valid HTTP", underlying: error)
        }
    }
}
