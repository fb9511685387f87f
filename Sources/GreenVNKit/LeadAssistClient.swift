import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// Lead Assist over HTTPS: Basic auth, JSON, timeouts, bounded retries with backoff + jitter
/// that honour Retry-After, and the exactly-once rules for create and swap.
public struct LeadAssistClient: LeadAssistAPI {
    public let settings: ConnectionSettings
    public var retry: RetryPolicy
    private let logger: Logger
    private let http: HTTPClient
    /// "Basic …", worked out once per client.
    private let authorization: String

    public init(settings: ConnectionSettings, retry: RetryPolicy? = nil, logger: Logger = Logger(label: "greenvn.client", factory: { _ in SwiftLogNoOpLogHandler() })) {
        self.settings = settings
        self.retry = retry ?? RetryPolicy(maxAttempts: settings.maxAttempts)
        self.logger = logger
        self.http = Self.sharedHTTP
        var credentials = "\(settings.apiKey):\(settings.apiToken)"
        authorization = "Basic " + credentials.withUTF8 { Data(buffer: $0) }.base64EncodedString()
    }

    /// For a process that makes one call at a time (a CLI command): NIO's shared event-loop
    /// group gets one thread instead of one per core. Call before the first client is made.
    public static func oneEventLoop() {
        NIOSingletons.groupLoopCountSuggestion = 1
    }

    /// One connection pool for the process (never shut down, like `HTTPClient.shared`), but
    /// without the pool's own endless reconnecting: a refused connection fails at once and our
    /// retry policy, which knows what is safe to resend, decides what happens next.
    static let sharedHTTP: HTTPClient = {
        var config = HTTPClient.Configuration()
        config.connectionPool.retryConnectionEstablishment = false
        config.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 64
        config.timeout.connect = .seconds(5)
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: config)
    }()

    public func create(_ request: AllocationRequest) async throws -> Allocation {
        try await create(request, body: Wire.body(request))
    }

    public func create(_ request: AllocationRequest, body: Data) async throws -> Allocation {
        do {
            return try await send(.POST, "", body: body, call: .create)
        } catch let failure as Attempts {
            // A 409/code 18 after an attempt whose fate we never learned: that attempt allocated.
            if failure.earlierAmbiguous, case .refused(let r) = failure.last, r.code == 18 {
                throw GreenVNError.allocatedResponseLost(connectionId: request.connectionId)
            }
            throw failure.last
        }
    }

    public func details(_ greenvnId: String) async throws -> Allocation {
        try await unwrap { try await send(.GET, "/" + escape(greenvnId), body: nil, call: .read) }
    }

    public func swap(_ greenvnId: String, _ request: SwapRequest, knownVN: String?) async throws -> Allocation {
        try await unwrap { try await send(.PUT, "/\(escape(greenvnId))/vn", body: Wire.body(request), call: .swap(id: greenvnId, knownVN: knownVN)) }
    }

    public func updateParties(_ greenvnId: String, _ update: PartyUpdate) async throws -> Allocation {
        do {
            return try await send(.PUT, "/\(escape(greenvnId))/call-party", body: Wire.body(update), call: .idempotent)
        } catch let failure as Attempts {
            if let done = await settled(failure, greenvnId, { update.isApplied(to: $0) }) { return done }
            throw failure.last
        }
    }

    public func deallocate(_ greenvnId: String) async throws -> Allocation {
        do {
            return try await send(.DELETE, "/" + escape(greenvnId), body: nil, call: .idempotent)
        } catch let failure as Attempts {
            // 410/code 22 after a lost answer: our earlier DELETE landed.
            if failure.earlierAmbiguous, case .refused(let r) = failure.last, r.code == 22 {
                return try await details(greenvnId)
            }
            if let done = await settled(failure, greenvnId, { $0.state == .vault }) { return done }
            throw failure.last
        }
    }

    public func settings() async throws -> AccountSettings {
        try await unwrap { try await attempts(.GET, url: settings.settingsURL, body: nil, settle: nil, decode: Wire.decodeSettingsAnswer) }
    }

    public func updateSettings(_ new: AccountSettings) async throws -> AccountSettings {
        // A full replacement: sending it again after a lost answer changes nothing more.
        try await unwrap { try await attempts(.PUT, url: settings.settingsURL, body: Wire.body(new), settle: nil, decode: Wire.decodeSettingsAnswer) }
    }

    /// Every attempt of an idempotent change failed and at least one may have reached the server
    /// and acted (its answer lost): one GET tells whether the change is in place. Nil when it is
    /// not, or when that GET fails too (the caller throws the original error).
    private func settled(_ failure: Attempts, _ greenvnId: String, _ done: (Allocation) -> Bool) async -> Allocation? {
        guard failure.earlierAmbiguous else { return nil }
        if case .refused = failure.last { return nil }
        guard case .success(let current) = await once(.GET, "/" + escape(greenvnId), body: nil), done(current) else { return nil }
        logger.notice("settled by a GET after every answer was lost", metadata: ["greenvn_id": "\(Text.printable(greenvnId, limit: 64))"])
        return current
    }

    // MARK: - one call, several attempts

    enum Call {
        case create, read, idempotent
        case swap(id: String, knownVN: String?)
    }

    /// The last error plus whether an earlier attempt may have reached the server and acted.
    struct Attempts: Error {
        var last: GreenVNError
        var earlierAmbiguous: Bool
    }

    private func unwrap<T>(_ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch let a as Attempts { throw a.last }
    }

    private func send(_ method: HTTPMethod, _ path: String, body: Data?, call: Call) async throws -> Allocation {
        var settle: (() async throws -> Allocation?)?
        if case .swap(let id, let knownVN) = call { settle = { try await self.settleSwap(id: id, knownVN: knownVN) } }
        return try await attempts(method, url: settings.greenvnURL + path, body: body, settle: settle, decode: Wire.decodeAnswer)
    }

    /// One call's attempts. `settle` runs after an attempt whose outcome is unknown (a swap is
    /// never re-sent blindly): a value ends the call, nil lets it be sent again.
    private func attempts<T>(_ method: HTTPMethod, url: String, body: Data?, settle: (() async throws -> T?)?,
                             decode: @escaping (Int, Data) -> Result<T, GreenVNError>) async throws -> T {
        var ambiguous = false
        var attempt = 0
        while true {
            attempt += 1
            let outcome = await once(method, url: url, body: body, decode: decode)
            let error: GreenVNError
            var retryAfter: Double?
            switch outcome {
            case .success(let value):
                return value
            case .failure(let e):
                error = e.error
                retryAfter = e.retryAfter
            }
            let lastAttempt = attempt >= retry.maxAttempts
            switch error {
            case .refused:
                throw Attempts(last: error, earlierAmbiguous: ambiguous)
            case .unavailable(let r) where r.httpStatus == 429:
                break   // throttled: nothing was done, retry as is
            case .network, .timeout, .badResponse, .unavailable:
                // The server may have acted: a call that must not be re-sent blindly asks what happened.
                if let settle, let settled = try await settle() { return settled }
                ambiguous = true
            default:
                throw Attempts(last: error, earlierAmbiguous: ambiguous)
            }
            if lastAttempt { throw Attempts(last: error, earlierAmbiguous: ambiguous) }
            let wait = retry.delay(after: attempt, retryAfter: retryAfter, unit: Double.random(in: 0..<1))
            logger.notice("retrying", metadata: ["method": "\(method.rawValue)", "attempt": "\(attempt + 1)", "after_s": "\(String(format: "%.2f", wait))", "cause": "\(error.shortCause)"])
            try? await Task.sleep(nanoseconds: UInt64(wait * 1e9))
        }
    }

    /// After a swap whose answer was lost: a VN different from the one we knew means it happened.
    /// Returns nil when it did not (the caller may send it again).
    private func settleSwap(id: String, knownVN: String?) async throws -> Allocation? {
        guard let knownVN else {
            throw GreenVNError.outcomeUnknown("the swap's answer was lost and the previous VN is not known, so it is not re-sent")
        }
        switch await once(.GET, "/" + escape(id), body: nil) {
        case .success(let current):
            if current.greenVN != knownVN { return current }
            if current.state == .vault {
                throw GreenVNError.refused(APIRefusal(httpStatus: 410, code: 22, message: "the allocation is in the vault"))
            }
            return nil
        case .failure(let e):
            throw GreenVNError.outcomeUnknown("the swap's answer was lost and checking the allocation failed too (\(e.error.shortCause))")
        }
    }

    struct Failure: Error {
        var error: GreenVNError
        var retryAfter: Double?
    }

    private func once(_ method: HTTPMethod, _ path: String, body: Data?) async -> Result<Allocation, Failure> {
        await once(method, url: settings.greenvnURL + path, body: body, decode: Wire.decodeAnswer)
    }

    private func once<T>(_ method: HTTPMethod, url: String, body: Data?,
                         decode: (Int, Data) -> Result<T, GreenVNError>) async -> Result<T, Failure> {
        let path = String(url.dropFirst(settings.baseURL.count))
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers.add(name: "Authorization", value: authorization)
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: "greenvn/1.0")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let started = DispatchTime.now()
        do {
            let response = try await http.execute(request, timeout: .milliseconds(Int64(settings.timeoutSeconds * 1000)))
            let status = Int(response.status.code)
            let retryAfter = RetryPolicy.parseRetryAfter(response.headers.first(name: "Retry-After"))
            let buffer: ByteBuffer
            do {
                buffer = try await response.body.collect(upTo: Wire.maxBodyBytes)
            } catch is NIOTooManyBytesError {
                return .failure(Failure(error: .badResponse(httpStatus: status, snippet: "body larger than \(Wire.maxBodyBytes / 1024) KiB"), retryAfter: nil))
            }
            let ms = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e6
            logger.debug("answer", metadata: ["method": "\(method.rawValue)", "path": "\(Text.printable(path, limit: 80))", "status": "\(status)", "ms": "\(Int(ms))"])
            // Data(bytes:count:), not Data's generic initializer (conformance lookups at run time).
            let data = buffer.withUnsafeReadableBytes { $0.count == 0 ? Data() : Data(bytes: $0.baseAddress!, count: $0.count) }
            return decode(status, data)
                .mapError { Failure(error: $0, retryAfter: retryAfter) }
        } catch {
            return .failure(Failure(error: Self.transportError(error, timeout: settings.timeoutSeconds), retryAfter: nil))
        }
    }

    static func transportError(_ error: Error, timeout: Double) -> GreenVNError {
        if let e = error as? HTTPClientError, e == .deadlineExceeded || e == .readTimeout || e == .connectTimeout {
            return .timeout(seconds: timeout)
        }
        if error is CancellationError { return .network("cancelled") }
        return .network(Text.printable(String(describing: error), limit: 160))
    }

    private func escape(_ id: String) -> String {
        id.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? id
    }
}

extension GreenVNError {
    /// One line for logs and retry notes.
    public var shortCause: String {
        switch self {
        case .network(let s): return "network: \(s)"
        case .timeout(let s): return "timeout after \(Int(s))s"
        case .badResponse(let status, _): return "bad response (HTTP \(status))"
        case .unavailable(let r): return "HTTP \(r.httpStatus)"
        case .refused(let r): return "refused (HTTP \(r.httpStatus), code \(r.code.map(String.init) ?? "-"))"
        default: return String(describing: self)
        }
    }
}
