import AsyncHTTPClient
import Foundation
import GreenVNKit
import Logging
import NIOCore

/// One webhook the simulator queued: where it goes and how its delivery is going.
public struct WebhookDelivery: Equatable, Sendable {
    public enum Status: String, Sendable { case pending, delivered, failed }
    public var id: Int
    public var kind: WebhookKind
    /// The endpoint, credentials in it hidden.
    public var url: String
    public var greenvnId: String?
    public var status: Status
    public var attempts: Int
    /// The last attempt's HTTP status (nil: no answer).
    public var httpStatus: Int?
    public var lastError: String?
}

/// Posts webhook payloads as JSON, off the request path: an API answer never waits for one.
/// Any answer but 2xx (or none) is retried with backoff; every failure is logged, never thrown.
final class WebhookSender: @unchecked Sendable {
    private let retry: RetryPolicy
    private let timeoutSeconds: Double
    private let logger: Logger
    private let lock = NSLock()
    private var deliveries: [WebhookDelivery] = []
    private var nextId = 1
    private var tasks: [Int: Task<Void, Never>] = [:]
    /// Deliveries kept for `/_sim/webhooks`, newest last.
    static let kept = 500

    init(retry: RetryPolicy, timeoutSeconds: Double, logger: Logger) {
        self.retry = retry
        self.timeoutSeconds = timeoutSeconds
        self.logger = logger
    }

    /// Like the client's pool: process-wide, never shut down, no redirects followed (a webhook
    /// endpoint that redirects is misconfigured, and the body would not follow anyway).
    private static let http: HTTPClient = {
        var config = HTTPClient.Configuration()
        config.redirectConfiguration = .disallow
        config.connectionPool.retryConnectionEstablishment = false
        config.timeout.connect = .seconds(5)
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: config)
    }()

    /// Queues `event` for `url`; nothing when the settings give this kind no endpoint.
    /// Returns whether it was queued.
    @discardableResult
    func send(_ event: WebhookEvent, to url: String?) -> Bool {
        guard let url, let target = Target(url) else { return false }
        let body = Webhooks.body(event)
        let id: Int = lock.withLock {
            let id = nextId
            nextId += 1
            deliveries.append(WebhookDelivery(id: id, kind: event.kind, url: target.shown, greenvnId: event.greenvnId,
                                              status: .pending, attempts: 0))
            if deliveries.count > Self.kept { deliveries.removeFirst(deliveries.count - Self.kept) }
            return id
        }
        let task = Task { [self] in
            await deliver(id: id, kind: event.kind, target: target, body: body)
            _ = lock.withLock { tasks.removeValue(forKey: id) }
        }
        lock.withLock { if deliveries.contains(where: { $0.id == id && $0.status == .pending }) { tasks[id] = task } }
        return true
    }

    var all: [WebhookDelivery] { lock.withLock { deliveries } }

    /// Abandons deliveries still retrying (the simulator is stopping).
    func cancelAll() {
        let running = lock.withLock { () -> [Task<Void, Never>] in
            defer { tasks = [:] }
            return Array(tasks.values)
        }
        running.forEach { $0.cancel() }
    }

    private func deliver(id: Int, kind: WebhookKind, target: Target, body: Data) async {
        for attempt in 1...retry.maxAttempts {
            if Task.isCancelled { return }
            let (status, error) = await post(target, body)
            let ok = status.map { (200...299).contains($0) } ?? false
            update(id) {
                $0.attempts = attempt
                $0.httpStatus = status
                $0.lastError = ok ? nil : error ?? "HTTP \(status ?? 0)"
                if ok { $0.status = .delivered } else if attempt == retry.maxAttempts { $0.status = .failed }
            }
            if ok { return }
            let cause = error ?? "answered HTTP \(status ?? 0)"
            let meta: Logger.Metadata = ["kind": "\(kind.rawValue)", "url": "\(target.shown)", "attempt": "\(attempt)"]
            if attempt == retry.maxAttempts {
                logger.error("webhook not delivered after \(attempt) attempts (\(cause)); check the receiver is up and the endpoint in the account settings", metadata: meta)
                return
            }
            let wait = retry.delay(after: attempt, retryAfter: nil, unit: Double.random(in: 0..<1))
            logger.warning("webhook delivery failed (\(cause)); retrying in \(String(format: "%.2f", wait))s", metadata: meta)
            try? await Task.sleep(nanoseconds: UInt64(wait * 1e9))
        }
    }

    /// One POST: the answer's status, or why there was none.
    private func post(_ target: Target, _ body: Data) async -> (Int?, String?) {
        var request = HTTPClientRequest(url: target.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "greenvn-simulator/1.0")
        if let auth = target.authorization { request.headers.add(name: "Authorization", value: auth) }
        request.body = .bytes(ByteBuffer(bytes: body))
        do {
            let response = try await Self.http.execute(request, timeout: .milliseconds(Int64(timeoutSeconds * 1000)))
            // Read (and drop) the answer so the connection can be reused.
            _ = try? await response.body.collect(upTo: 1 << 20)
            return (Int(response.status.code), nil)
        } catch {
            return (nil, Text.printable(String(describing: error), limit: 160))
        }
    }

    private func update(_ id: Int, _ change: (inout WebhookDelivery) -> Void) {
        lock.withLock {
            if let i = deliveries.lastIndex(where: { $0.id == id }) { change(&deliveries[i]) }
        }
    }

    /// An endpoint split for sending: credentials in the URL become a Basic header (as curl
    /// does) and are never shown or logged.
    struct Target: Sendable {
        let url: String
        let shown: String
        let authorization: String?

        init?(_ raw: String) {
            guard case .success(let checked) = WebhookURL.parse(raw), var c = URLComponents(string: checked) else { return nil }
            if let user = c.user {
                authorization = "Basic " + Data("\(user):\(c.password ?? "")".utf8).base64EncodedString()
                c.user = nil
                c.password = nil
            } else {
                authorization = nil
            }
            guard let plain = c.string else { return nil }
            url = plain
            shown = Text.printable(plain, limit: 200)
        }
    }
}
