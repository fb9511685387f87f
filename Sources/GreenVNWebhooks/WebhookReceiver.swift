import Foundation
import GreenVNKit
import GreenVNServing
import GreenVNStore
import HTTPTypes
import Hummingbird
import Logging

/// `greenvn webhooks`: receives Lead Assist's four webhooks and applies them to the registry
/// (`WebhookIntake`). One URL takes every kind (`POST /webhooks`, the kind read from the keys);
/// `POST /webhooks/<kind>` takes one (call_complete, caller_verified, verification_failed,
/// deallocated). A bad or hostile payload gets a 4xx naming the key at fault and changes
/// nothing; a registry that cannot be written gets a 503, so Lead Assist delivers it again.
public final class WebhookReceiver: @unchecked Sendable {
    let intake: WebhookIntake
    /// Required as `?token=` (or the `X-Greenvn-Token` header) when set: the endpoint is on a
    /// network Lead Assist reaches, and its URL in the account settings can carry it.
    let token: String?
    let logger: Logger
    /// Told of every payload received, with what became of it (the verb prints it).
    let observer: @Sendable (_ status: Int, _ line: String) -> Void
    private let serving = Serving()

    public init(intake: WebhookIntake, token: String? = nil, logger: Logger,
                observer: @escaping @Sendable (_ status: Int, _ line: String) -> Void = { _, _ in }) {
        self.intake = intake
        self.token = token.flatMap { $0.isEmpty ? nil : $0 }
        self.logger = logger
        self.observer = observer
    }

    /// The port it listens on after `start`.
    public var port: Int { serving.port }

    /// In the background (tests); returns the bound port.
    @discardableResult
    public func start(host: String = "127.0.0.1", port: Int = 0) async throws -> Int {
        try await serving.start { running in application(host: host, port: port, onRunning: running) }
    }

    public func stop() async { await serving.stop() }

    /// In the foreground until SIGINT/SIGTERM (the `greenvn webhooks` verb).
    public func run(host: String, port: Int, onListening: @escaping @Sendable (Int) -> Void) async throws {
        try await application(host: host, port: port, onRunning: onListening).runService(gracefulShutdownSignals: [.sigterm, .sigint])
    }

    func application(host: String, port: Int, onRunning: @escaping @Sendable (Int) -> Void) -> some ApplicationProtocol {
        Application(responder: Responder(receiver: self),
                    configuration: .init(address: .hostname(host, port: port), serverName: nil),
                    onServerRunning: { channel in onRunning(channel.localAddress?.port ?? port) },
                    logger: logger)
    }

    struct Responder: HTTPResponder {
        typealias Context = BasicRequestContext
        let receiver: WebhookReceiver

        func respond(to request: Request, context: Context) async throws -> Response {
            let parts = request.uri.path.split(separator: "/").map(String.init)
            if request.method == .get, parts == ["health"] { return Self.json(200, ["ok": .bool(true)]) }
            guard parts.first == "webhooks", parts.count <= 2 else {
                return Self.refuse(404, "no such endpoint: POST /webhooks or /webhooks/<kind> (\(WebhookKind.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            guard request.method == .post else { return Self.refuse(405, "webhooks are POSTed") }
            guard receiver.authorized(request) else { return Self.refuse(401, "missing or wrong token: add ?token=… to the webhook URL in the account settings") }
            var kind: WebhookKind?
            if parts.count == 2 {
                guard let k = WebhookKind(rawValue: parts[1]) else {
                    return Self.refuse(404, "no webhook kind \"\(Text.printable(parts[1], limit: 40))\": one of \(WebhookKind.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                kind = k
            }
            var body = Data()
            for try await chunk in request.body {
                if body.count + chunk.readableBytes > Webhooks.maxBodyBytes {
                    return Self.refuse(413, "payload over \(Webhooks.maxBodyBytes / 1024) KiB: no webhook is that large")
                }
                body.append(contentsOf: chunk.readableBytesView)
            }
            return await receiver.receive(body, as: kind)
        }

        static func json(_ status: Int, _ object: [String: JSONValue]) -> Response {
            var headers: HTTPFields = [:]
            headers[.contentType] = "application/json"
            return Response(status: .init(code: status), headers: headers,
                            body: .init(byteBuffer: ByteBuffer(bytes: JSONValue.object(object).serialized())))
        }

        static func refuse(_ status: Int, _ message: String) -> Response {
            json(status, ["ok": .bool(false), "error": .string(message)])
        }
    }

    func authorized(_ request: Request) -> Bool {
        guard let token else { return true }
        let given = request.headers[Self.tokenHeader] ?? request.uri.queryParameters.get("token")
        return given.map { Self.same($0, token) } ?? false
    }

    static let tokenHeader = HTTPField.Name("X-Greenvn-Token")!

    /// Compares without stopping at the first difference (the time taken tells nothing).
    static func same(_ a: String, _ b: String) -> Bool {
        let (x, y) = (Array(a.utf8), Array(b.utf8))
        var diff = x.count ^ y.count
        for i in 0..<max(x.count, y.count) { diff |= Int((i < x.count ? x[i] : 0) ^ (i < y.count ? y[i] : 0)) }
        return diff == 0
    }

    /// Decodes and applies one payload; the answer says what the registry learned.
    func receive(_ body: Data, as kind: WebhookKind?) async -> Response {
        let event: WebhookEvent
        do throws(WebhookPayloadError) {
            if let kind { event = try Webhooks.decode(body, as: kind) } else { event = try Webhooks.decode(body) }
        } catch {
            logger.notice("webhook refused: \(error.description)")
            observer(400, error.description)
            return Responder.refuse(400, error.description)
        }
        do {
            let outcome = try await intake.apply(event)
            let said = Self.describe(outcome)
            logger.info("webhook \(event.kind.rawValue): \(said)")
            observer(200, "\(event.kind.rawValue): \(said)")
            return Responder.json(200, ["ok": .bool(true), "kind": .string(event.kind.rawValue), "outcome": .string(said)])
        } catch {
            logger.error("webhook \(event.kind.rawValue) not recorded: \(Text.printable(String(describing: error), limit: 300))")
            observer(503, "\(event.kind.rawValue) not recorded: \(Text.printable(String(describing: error), limit: 200))")
            return Responder.refuse(503, "the registry could not record it (\(Text.printable(String(describing: error), limit: 200))); deliver it again")
        }
    }

    static func describe(_ o: WebhookOutcome) -> String {
        switch o {
        case .call(let id, let new): return new ? "call recorded on \(id)" : "call on \(id) updated"
        case .settled(let s): return "allocation \(s.connectionId) now known as \(s.id) (VN \(s.allocation.greenVN))"
        case .learned(let s): return "allocation \(s.id) (VN \(s.allocation.greenVN)) remembered from Lead Assist"
        case .expired(let s): return "allocation \(s.id) expired: in the vault"
        case .audited(let target): return "noted in the audit log of \(target)"
        case .unmatched(let why): return why
        }
    }
}
