import Foundation

/// E.164 rules for every number greenvn handles (parties and the VN itself).
public enum PhoneNumber {
    /// Country code put in front of a bare 10-digit Indian mobile number.
    public static let defaultCountryCode = "+91"

    /// Normalises operator input to E.164 or says which rule it breaks.
    /// Spaces, dashes, dots and parentheses are stripped first; a bare 10-digit number
    /// starting 6–9 is an Indian mobile and gets +91.
    public static func normalize(_ raw: String) -> Result<String, RuleBroken> {
        let trimmed = Text.trimmed(raw, newlines: true)
        if trimmed.isEmpty { return .failure("an empty number") }
        var kept = ""
        for ch in trimmed.unicodeScalars {
            switch ch {
            case " ", "-", "(", ")", ".", "\u{00A0}", "\t": continue
            default: kept.unicodeScalars.append(ch)
            }
        }
        let shown = Text.printable(trimmed, limit: 24)
        if kept.hasPrefix("+") {
            let digits = kept.dropFirst()
            guard !digits.isEmpty, digits.allSatisfy(\.isASCIIDigit) else {
                return .failure("\"\(shown)\" is not E.164: after + only digits are allowed")
            }
            guard (8...15).contains(digits.count) else {
                return .failure("\"\(shown)\" is not E.164: + then 8–15 digits (has \(digits.count))")
            }
            guard digits.first != "0" else {
                return .failure("\"\(shown)\" is not E.164: a country code never starts with 0")
            }
            return .success(kept)
        }
        guard kept.allSatisfy(\.isASCIIDigit) else {
            return .failure("\"\(shown)\" is not a phone number: use + and 8–15 digits, e.g. +919876543210")
        }
        if kept.count == 10, let first = kept.first, "6789".contains(first) {
            return .success(defaultCountryCode + kept)
        }
        return .failure("\"\(shown)\" needs its country code: write it as + and 8–15 digits, e.g. \(example(for: kept))")
    }

    /// A valid number the operator may have meant: +91 before their digits (a trunk 0 dropped)
    /// when that makes 8–15 digits, else a sample mobile. Never itself an invalid example.
    static func example(for digits: String) -> String {
        var national = Substring(digits)
        while national.hasPrefix("0") { national.removeFirst() }
        let candidate = defaultCountryCode + national
        return (8...15).contains(candidate.count - 1) ? candidate : defaultCountryCode + "9876543210"
    }

    /// Splits a field that holds several numbers. Commas, semicolons and newlines always
    /// separate; whitespace separates only where a new number plainly starts (a "+", or the
    /// previous one already has 10 digits), so "+91 98765 43210" stays one number.
    public static func split(_ raw: String) -> [String] {
        var result: [String] = []
        for chunk in raw.split(whereSeparator: { $0.isNewline || ",;".contains($0) }) {   // "\r\n" is one Character
            var current = ""
            var digitCount = 0
            for token in chunk.split(whereSeparator: { $0 == " " || $0 == "\t" }) {
                let startsNew = token.hasPrefix("+") || digitCount >= 10
                if startsNew && !current.isEmpty {
                    result.append(current)
                    current = ""
                    digitCount = 0
                }
                current += current.isEmpty ? String(token) : " " + token
                digitCount += token.filter(\.isASCIIDigit).count
            }
            if !current.isEmpty { result.append(current) }
        }
        return result
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
