import Foundation

/// Timeout and retry knobs from the environment (for tests and slow links):
/// `GREENVN_TIMEOUT_SECONDS` (per attempt), `GREENVN_MAX_ATTEMPTS`, `GREENVN_RETRY_BASE_SECONDS`
/// (the first backoff, doubled each retry). Unset keeps the defaults; a bad value is refused.
public struct Tuning: Equatable, Sendable {
    public var timeoutSeconds: Double?
    public var maxAttempts: Int?
    public var retryBaseSeconds: Double?

    public init(timeoutSeconds: Double? = nil, maxAttempts: Int? = nil, retryBaseSeconds: Double? = nil) {
        self.timeoutSeconds = timeoutSeconds
        self.maxAttempts = maxAttempts
        self.retryBaseSeconds = retryBaseSeconds
    }

    public static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment) throws -> Tuning {
        func value<T>(_ name: String, _ parse: (String) -> T?, _ range: String) throws -> T? {
            guard let raw = env[name], !raw.isEmpty else { return nil }
            guard let v = parse(raw.trimmingCharacters(in: .whitespaces)) else {
                throw GreenVNError.configuration("\(name)=\(Text.printable(raw, limit: 20)) is not valid: \(range)")
            }
            return v
        }
        return Tuning(
            timeoutSeconds: try value("GREENVN_TIMEOUT_SECONDS", { Double($0).flatMap { $0 > 0 && $0 <= 600 ? $0 : nil } }, "seconds, more than 0 and at most 600"),
            maxAttempts: try value("GREENVN_MAX_ATTEMPTS", { Int($0).flatMap { (1...20).contains($0) ? $0 : nil } }, "a whole number from 1 to 20"),
            retryBaseSeconds: try value("GREENVN_RETRY_BASE_SECONDS", { Double($0).flatMap { $0 >= 0 && $0 <= 60 ? $0 : nil } }, "seconds, 0 to 60"))
    }

    /// Sets the timeout and attempts on `settings`; the retry policy that goes with them.
    public func apply(to settings: inout ConnectionSettings) -> RetryPolicy {
        if let t = timeoutSeconds { settings.timeoutSeconds = t }
        if let n = maxAttempts { settings.maxAttempts = n }
        var retry = RetryPolicy(maxAttempts: settings.maxAttempts)
        if let b = retryBaseSeconds { retry.baseDelay = b }
        return retry
    }
}
