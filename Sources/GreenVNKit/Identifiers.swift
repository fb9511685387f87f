import Foundation

/// The allocation's id as Lead Assist gives it: opaque (UUID-like), never parsed as a number.
public enum GreenvnID {
    public static let maxLength = 128

    /// Never empty, never a control character, never a path or several words: it goes into a URL path.
    public static func check(_ id: String) -> ValidationFailure? {
        if id.isEmpty || id.count > maxLength || Text.hasControl(id) || id.contains("/") || id.contains(" ") {
            return ValidationFailure([FieldError(.greenvnId, "\"\(Text.printable(id, limit: 40))\" is not a greenvn_id: 1–\(maxLength) visible characters without / or spaces")])
        }
        return nil
    }
}

/// The idempotency key of a create. One format wherever greenvn makes one (the CLI, the form,
/// a bulk row without one): "gvn-" + the time in base 36 + "-" + 8 random hex digits, so ids
/// sort by when they were made and two made in the same millisecond still differ.
public enum ConnectionID {
    public static func fresh() -> String {
        var g = SystemRandomNumberGenerator()
        return fresh(at: Date(), random: g.next())
    }

    /// Deterministic for a given time and random word (the console's form, its snapshot tests).
    public static func fresh(at time: Date, random: UInt64) -> String {
        let t = String(UInt64(max(0, time.timeIntervalSince1970 * 1000)), radix: 36)
        let hex = String(random & 0xFFFF_FFFF, radix: 16)
        return "gvn-\(t)-" + String(repeating: "0", count: 8 - hex.count) + hex
    }
}

/// Small, fast and the same everywhere: reproducible sequences for a given seed (the
/// simulator's fault rates, the console's connection_ids in tests, synthetic registries).
public struct SplitMix64: Sendable, Equatable, RandomNumberGenerator {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    public mutating func nextUnit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
