import Foundation

/// How often and how patiently a call is retried. Pure, so the schedule is testable.
public struct RetryPolicy: Sendable, Equatable {
    public var maxAttempts: Int
    public var baseDelay: Double          // seconds before the 2nd attempt, doubled each time
    public var maxDelay: Double
    public var maxRetryAfter: Double      // a server asking for longer than this is given this

    public init(maxAttempts: Int = 4, baseDelay: Double = 0.25, maxDelay: Double = 8, maxRetryAfter: Double = 30) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxRetryAfter = maxRetryAfter
    }

    /// Exponential backoff with "equal jitter" (half fixed, half random) so a crowd of clients
    /// spreads out; a server's Retry-After wins when it asks for longer.
    /// `attempt` is the attempt that just failed (1-based); `unit` is a random number in [0, 1).
    public func delay(after attempt: Int, retryAfter: Double?, unit: Double) -> Double {
        let exp = min(maxDelay, baseDelay * pow(2, Double(max(0, attempt - 1))))
        let backoff = exp / 2 + exp / 2 * unit
        guard let ra = retryAfter else { return backoff }
        return max(min(ra, maxRetryAfter), backoff)
    }

    /// `Retry-After` as delta-seconds or an HTTP-date.
    public static func parseRetryAfter(_ value: String?, now: Date = Date()) -> Double? {
        guard let v = value?.trimmingCharacters(in: .whitespaces), !v.isEmpty else { return nil }
        if let s = Double(v), s >= 0 { return s }
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "GMT")
        f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = f.date(from: v) else { return nil }
        return max(0, date.timeIntervalSince(now))
    }
}
