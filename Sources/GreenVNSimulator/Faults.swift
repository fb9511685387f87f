import Foundation
import GreenVNKit

/// Something going wrong on purpose, for one request.
public enum Fault: Sendable, Equatable, Codable {
    /// That HTTP status with an error envelope (code 0); 502 answers an HTML page like a proxy. Nothing done.
    case status(Int)
    /// 429 with `Retry-After` and envelope status 429. Nothing done.
    case throttle(retryAfterSeconds: Int)
    /// 200 with an HTML body. Nothing done.
    case html
    /// The call IS carried out, then answered with 200 and an HTML body (a proxy mangled it).
    case htmlAfterActing
    /// 200 with an empty body. Nothing done.
    case empty
    /// The connection is closed with no response. Nothing done.
    case dropBeforeActing
    /// The call is carried out (committed), then the connection is closed with no response.
    case dropAfterActing
    /// Waits, then acts and answers normally, unless the client hung up meanwhile (then nothing done).
    case stall(seconds: Double)

    private enum Keys: String, CodingKey { case type, status, retryAfterSeconds = "retry_after_seconds", seconds }

    /// `{"type":"status","status":503}`, `{"type":"throttle","retry_after_seconds":2}`,
    /// `{"type":"stall","seconds":1.5}`, `{"type":"drop_after_acting"}`; a bare `"html"` also works.
    public init(from decoder: Decoder) throws {
        if let single = try? decoder.singleValueContainer(), let name = try? single.decode(String.self) {
            guard let f = Self.named(name, status: nil, retryAfter: nil, seconds: nil) else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "unknown fault \(name)"))
            }
            self = f
            return
        }
        let c = try decoder.container(keyedBy: Keys.self)
        let name = try c.decode(String.self, forKey: .type)
        let f = Self.named(name, status: try c.decodeIfPresent(Int.self, forKey: .status),
                           retryAfter: try c.decodeIfPresent(Int.self, forKey: .retryAfterSeconds),
                           seconds: try c.decodeIfPresent(Double.self, forKey: .seconds))
        guard let f else {
            throw DecodingError.dataCorruptedError(forKey: .type, in: c, debugDescription: "unknown fault \(name)")
        }
        self = f
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(name, forKey: .type)
        switch self {
        case .status(let s): try c.encode(s, forKey: .status)
        case .throttle(let r): try c.encode(r, forKey: .retryAfterSeconds)
        case .stall(let s): try c.encode(s, forKey: .seconds)
        default: break
        }
    }

    public var name: String {
        switch self {
        case .status: return "status"
        case .throttle: return "throttle"
        case .html: return "html"
        case .htmlAfterActing: return "html_after_acting"
        case .empty: return "empty"
        case .dropBeforeActing: return "drop_before_acting"
        case .dropAfterActing: return "drop_after_acting"
        case .stall: return "stall"
        }
    }

    /// Accepts snake_case and camelCase spellings.
    static func named(_ raw: String, status: Int?, retryAfter: Int?, seconds: Double?) -> Fault? {
        switch raw.replacingOccurrences(of: "_", with: "").lowercased() {
        case "status": return .status(status ?? 500)
        case "throttle": return .throttle(retryAfterSeconds: retryAfter ?? 1)
        case "html": return .html
        case "htmlafteracting": return .htmlAfterActing
        case "empty": return .empty
        case "dropbeforeacting", "drop": return .dropBeforeActing
        case "dropafteracting": return .dropAfterActing
        case "stall": return .stall(seconds: seconds ?? 5)
        default: return nil
        }
    }
}

/// The documented calls (the five allocation calls, reading and writing the settings); `any`
/// matches each of them (for faults and counts).
public enum CallKind: String, Sendable, Codable, CaseIterable {
    case create, details, swap, callParty, deallocate, settings, updateSettings, any

    /// "callParty", "call-party" and "call_party" all name the same call.
    public init?(loosely raw: String) {
        let key = raw.replacingOccurrences(of: "_", with: "").replacingOccurrences(of: "-", with: "").lowercased()
        guard let k = Self.allCases.first(where: { $0.rawValue.lowercased() == key }) else { return nil }
        self = k
    }
}

/// Background failure rates applied to every API request (the standalone server's flags).
public struct FaultRates: Sendable, Equatable {
    public var latencyMs: Int = 0
    /// 500 with code 0.
    public var errorRate: Double = 0
    /// 429 with Retry-After: 1.
    public var throttleRate: Double = 0
    /// Half 200 with HTML, half 502 with HTML.
    public var malformedRate: Double = 0
    public var emptyRate: Double = 0
    /// Half before acting, half after.
    public var dropRate: Double = 0

    public static let none = FaultRates()

    public init(latencyMs: Int = 0, errorRate: Double = 0, throttleRate: Double = 0,
                malformedRate: Double = 0, emptyRate: Double = 0, dropRate: Double = 0) {
        self.latencyMs = latencyMs
        self.errorRate = errorRate
        self.throttleRate = throttleRate
        self.malformedRate = malformedRate
        self.emptyRate = emptyRate
        self.dropRate = dropRate
    }
}

/// Queued faults, the seeded dice for the rates, and request counts. Shared by request tasks.
final class FaultBoard: @unchecked Sendable {
    private let lock = NSLock()
    private var queues: [CallKind: [Fault]] = [:]
    private var counts: [CallKind: Int] = [:]
    private var rng: SplitMix64
    private let rates: FaultRates

    init(rates: FaultRates, seed: UInt64) {
        self.rates = rates
        self.rng = SplitMix64(seed: seed)
    }

    var latencyMs: Int { rates.latencyMs }

    func inject(_ fault: Fault, on kind: CallKind, count: Int) {
        lock.withLock { queues[kind, default: []] += Array(repeating: fault, count: max(0, count)) }
    }

    func clear() { lock.withLock { queues = [:] } }

    func count(_ kind: CallKind) -> Int {
        lock.withLock { kind == .any ? counts.values.reduce(0, +) : counts[kind, default: 0] }
    }

    var allCounts: [CallKind: Int] { lock.withLock { counts } }

    /// Counts the request and says what goes wrong with it: the kind's own queue first, then
    /// the `any` queue, then the rates.
    func next(for kind: CallKind) -> Fault? {
        lock.withLock {
            counts[kind, default: 0] += 1
            for k in [kind, .any] where !(queues[k]?.isEmpty ?? true) {
                return queues[k]!.removeFirst()
            }
            return rolled()
        }
    }

    private func rolled() -> Fault? {
        let r = rates
        guard r.errorRate + r.throttleRate + r.malformedRate + r.emptyRate + r.dropRate > 0 else { return nil }
        var x = rng.nextUnit()
        let coin = rng.nextUnit() < 0.5
        for (rate, fault) in [(r.errorRate, Fault.status(500)), (r.throttleRate, .throttle(retryAfterSeconds: 1)),
                              (r.malformedRate, coin ? .html : .status(502)), (r.emptyRate, .empty),
                              (r.dropRate, coin ? .dropBeforeActing : .dropAfterActing)] {
            if x < rate { return fault }
            x -= rate
        }
        return nil
    }
}
