import Foundation
import GreenVNKit
import Hummingbird
import NIOCore

/// The request context: Hummingbird's plus the connection, which faults close on purpose.
struct SimContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}

/// A documented call, recognised from method and path under `/v1/tenants/<sid>/greenvn`
/// (allocations) or `/v1/tenants/<sid>/settings`.
enum Route: Equatable {
    case create, details(String), swap(String), callParty(String), deallocate(String), settings, updateSettings

    var kind: CallKind {
        switch self {
        case .create: return .create
        case .details: return .details
        case .swap: return .swap
        case .callParty: return .callParty
        case .deallocate: return .deallocate
        case .settings: return .settings
        case .updateSettings: return .updateSettings
        }
    }

    /// The answer to a path that is not an API call, or nil with the route and tenant.
    static func parse(_ method: HTTPRequest.Method, _ parts: [String]) -> Result<(Route, sid: String), Refusal> {
        let noSuch = Refusal.badRequest("no such endpoint \(method.rawValue) /\(Text.printable(parts.joined(separator: "/"), limit: 80))").with(status: 404)
        guard parts.count >= 4, parts.count <= 6, parts[0] == "v1", parts[1] == "tenants" else { return .failure(noSuch) }
        let sid = parts[2]
        if parts[3] == "settings" {
            guard parts.count == 4 else { return .failure(noSuch) }
            switch method {
            case .get: return .success((.settings, sid))
            case .put: return .success((.updateSettings, sid))
            default: return .failure(.badRequest("\(method.rawValue) is not supported on settings: GET reads them, PUT changes them").with(status: 405))
            }
        }
        guard parts[3] == "greenvn" else { return .failure(noSuch) }
        let rest = Array(parts.dropFirst(4))
        let route: Route?
        switch (method, rest.count, rest.dropFirst().first) {
        case (.post, 0, _): route = .create
        case (.get, 1, _): route = .details(rest[0])
        case (.delete, 1, _): route = .deallocate(rest[0])
        case (.put, 2, "vn"): route = .swap(rest[0])
        case (.put, 2, "call-party"): route = .callParty(rest[0])
        default: route = nil
        }
        guard let route else {
            let known = rest.count <= 1 || ["vn", "call-party"].contains(rest[1])
            return .failure(.badRequest("\(method.rawValue) is not supported on this path").with(status: known ? 405 : 404))
        }
        return .success((route, sid))
    }
}

extension Refusal {
    func with(status: Int) -> Refusal { Refusal(code: code, message: message, statusOverride: status) }
}

/// Raised to abandon a request after its connection was closed on purpose.
struct ConnectionDropped: Error {}

/// Every request: control endpoints, then route → fault → auth → body → the call → envelope.
struct SimResponder: HTTPResponder {
    typealias Context = SimContext
    static let maxBodyBytes = 1 << 20

    let api: SimulatedAPI
    let board: FaultBoard
    let control: Control
    let config: SimulatorConfig
    let quirks: Quirks

    func respond(to request: Request, context: SimContext) async throws -> Response {
        let parts = request.uri.path.split(separator: "/").map { String($0).removingPercentEncoding ?? String($0) }
        if parts.first == "_sim" || (parts.count > 1 && parts[0] == "v1" && parts[1] == "_sim") {
            guard authorized(request) else { return Reply.refusal(.unauthenticated) }
            let body = try await Self.read(request.body)
            return await control.respond(request.method, Array(parts.drop { $0 != "_sim" }.dropFirst()), body: body)
        }
        let route: Route, sid: String
        switch Route.parse(request.method, parts) {
        case .success(let r): (route, sid) = r
        case .failure(let refusal): return Reply.refusal(refusal)
        }
        let fault = board.next(for: route.kind)
        if board.latencyMs > 0 { try? await Task.sleep(for: .milliseconds(board.latencyMs)) }
        switch fault {
        case nil:
            return await serve(route, sid: sid, request, body: try await Self.read(request.body))
        case .status(let code):
            return code == 502 ? Reply.html(502) : Reply.refusal(.internalError(code))
        case .throttle(let seconds):
            return Reply.throttled(retryAfter: seconds)
        case .html:
            return Reply.html(200)
        case .empty:
            return Reply.empty()
        case .dropBeforeActing:
            try await drop(context)
        case .dropAfterActing:
            _ = await serve(route, sid: sid, request, body: try await Self.read(request.body))
            try await drop(context)
        case .htmlAfterActing:
            _ = await serve(route, sid: sid, request, body: try await Self.read(request.body))
            return Reply.html(200)
        case .stall(let seconds):
            // Cancelled when the client hangs up first: then nothing is done.
            let body: Body
            do {
                body = try await request.body.consumeWithCancellationOnInboundClose { b in
                    let body = try await Self.read(b)
                    try await Task.sleep(for: .milliseconds(Int(max(0, seconds) * 1000)))
                    return body
                }
            } catch {
                try await drop(context)
            }
            return await serve(route, sid: sid, request, body: body)
        }
    }

    /// Auth, tenant, body size, then the call itself.
    private func serve(_ route: Route, sid: String, _ request: Request, body: Body) async -> Response {
        guard authorized(request) else { return Reply.refusal(.unauthenticated) }
        guard sid == config.accountSID else { return Reply.refusal(.forbidden) }
        guard case .complete(let data) = body else { return Reply.refusal(.tooLarge) }
        do {
            switch route {
            case .create: return Reply.success(try await api.create(body: data), vnKey: quirks.createVNKey.rawValue)
            case .details(let id): return Reply.success(try await api.details(id: id), vnKey: "green_vn")
            case .swap(let id): return Reply.success(try await api.swap(id: id, body: data), vnKey: "green_vn")
            case .callParty(let id): return Reply.success(try await api.updateParties(id: id, body: data), vnKey: "green_vn")
            case .deallocate(let id): return Reply.success(try await api.deallocate(id: id), vnKey: "green_vn")
            case .settings: return Reply.json(200, Wire.envelope(status: 200, data: Wire.json(try await api.settings())))
            case .updateSettings: return Reply.json(200, Wire.envelope(status: 200, data: Wire.json(try await api.updateSettings(body: data))))
            }
        } catch let r as Refusal {
            return Reply.refusal(r)
        } catch {
            return Reply.refusal(.internalError())
        }
    }

    private func authorized(_ request: Request) -> Bool {
        guard let header = request.headers[.authorization] else { return false }
        let pieces = header.split(separator: " ", maxSplits: 1)
        guard pieces.count == 2, pieces[0].lowercased() == "basic",
              let decoded = Data(base64Encoded: String(pieces[1]).trimmingCharacters(in: .whitespaces)),
              let text = String(data: decoded, encoding: .utf8) else { return false }
        return text == "\(config.apiKey):\(config.apiToken)"
    }

    /// Closes the connection with nothing written: the client sees EOF (or a reset), never an answer.
    private func drop(_ context: SimContext) async throws -> Never {
        try? await context.channel.close()
        throw ConnectionDropped()
    }

    enum Body: Sendable { case complete(Data), tooLarge }

    /// Reads at most 1 MiB; past that the rest is left unread.
    static func read(_ body: RequestBody) async throws -> Body {
        var data = Data()
        for try await buffer in body {
            if data.count + buffer.readableBytes > maxBodyBytes { return .tooLarge }
            data.append(contentsOf: buffer.readableBytesView)
        }
        return .complete(data)
    }
}
