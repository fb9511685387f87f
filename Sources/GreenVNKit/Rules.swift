import Foundation

/// The single-value rules: pins, durations, pin codes, identifiers. Pure functions that
/// return the normalised value or the message naming the rule that failed.
public enum Pin {
    public static let recommendedDigits = 6
    public static let maxDigits = 15

    public static func parse(_ raw: String) -> Result<Int, RuleBroken> {
        let s = Text.trimmed(raw)
        let shown = Text.printable(s, limit: 24)
        guard !s.isEmpty else { return .failure("an empty pin") }
        guard s.allSatisfy(\.isASCIIDigit) else {
            return .failure("\"\(shown)\" is not a pin: a pin is a positive whole number (digits only)")
        }
        guard s.count <= maxDigits else {
            return .failure("\"\(Text.printable(s, limit: 18))\" is too long: at most \(maxDigits) digits")
        }
        guard s.first != "0" else {
            return .failure("\"\(shown)\" starts with 0: a pin is a positive whole number without leading zeros")
        }
        return .success(Int(s)!)
    }

    /// Pins are separated by commas, semicolons or whitespace.
    public static func split(_ raw: String) -> [String] {
        // isNewline: "\r\n" is one Character, which no single separator character equals.
        raw.split(whereSeparator: { $0.isNewline || ",; \t".contains($0) }).map(String.init)
    }
}

/// How long an allocation lives before Lead Assist moves it to the vault.
public struct DeallocationDuration: Equatable, Hashable, Sendable, Codable, CustomStringConvertible {
    public static let minimumSeconds = 5 * 60
    public static let maximumSeconds = 170 * 86_400

    /// As sent on the wire, e.g. "600s", "2h", "3d".
    public let text: String
    public let seconds: Int

    public var description: String { text }

    public init(seconds: Int) {
        self.seconds = seconds
        if seconds % 86_400 == 0 { text = "\(seconds / 86_400)d" }
        else if seconds % 3_600 == 0 { text = "\(seconds / 3_600)h" }
        else if seconds % 60 == 0 { text = "\(seconds / 60)m" }
        else { text = "\(seconds)s" }
    }

    /// Parses `N` followed by d, h, m or s (e.g. "600s", "2m", "1h", "3d"); 5 minutes to 170 days.
    public static func parse(_ raw: String) -> Result<DeallocationDuration, RuleBroken> {
        let s = Text.trimmed(raw).lowercased()
        let shown = Text.printable(raw, limit: 24)
        guard let unit = s.last, "dhms".contains(unit), s.count >= 2 else {
            return .failure("\"\(shown)\" is not a duration: a number then d, h, m or s, e.g. 600s, 30m, 2h, 3d")
        }
        let digits = s.dropLast()
        guard digits.allSatisfy(\.isASCIIDigit), digits.count <= 9, let n = Int(digits) else {
            return .failure("\"\(shown)\" is not a duration: a number then d, h, m or s, e.g. 600s, 30m, 2h, 3d")
        }
        let factor = ["d": 86_400, "h": 3_600, "m": 60, "s": 1][String(unit)]!
        let seconds = n * factor
        guard seconds >= minimumSeconds, seconds <= maximumSeconds else {
            return .failure("\"\(shown)\" is out of range: an allocation lives from 5 minutes (300s) to 170 days")
        }
        return .success(DeallocationDuration(text: "\(n)\(unit)", seconds: seconds))
    }

    private init(text: String, seconds: Int) {
        self.text = text
        self.seconds = seconds
    }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        switch DeallocationDuration.parse(text) {
        case .success(let d): self = d
        case .failure(let why):
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: why.message))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(text)
    }
}

public enum PinCode {
    /// An Indian postal PIN code: 6 digits, the first not 0.
    public static func parse(_ raw: String) -> Result<String, RuleBroken> {
        let s = Text.trimmed(raw).replacingOccurrences(of: " ", with: "")
        guard s.count == 6, s.allSatisfy(\.isASCIIDigit), s.first != "0" else {
            return .failure("\"\(Text.printable(raw, limit: 24))\" is not a pin code: 6 digits, not starting with 0, e.g. 560001")
        }
        return .success(s)
    }
}

/// connection_id and flow_id: identifiers the operator chooses.
public enum Identifier {
    public static let maxLength = 64

    public static func check(_ raw: String, what: String) -> String? {
        if raw.isEmpty { return "\(what) is required: 1–\(maxLength) visible characters" }
        if raw.count > maxLength { return "is \(raw.count) characters long: at most \(maxLength)" }
        if Text.hasControl(raw) { return "contains a control character: use visible characters only" }
        if !raw.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) {
            return "\"\(Text.printable(raw, limit: 24))\" has spaces or non-ASCII characters: use letters, digits and - _ . : /"
        }
        return nil
    }
}
