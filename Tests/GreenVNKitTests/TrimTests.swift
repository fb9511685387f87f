import Foundation
import Testing
@testable import GreenVNKit

/// Text.trimmed trims what Foundation's trimmingCharacters(in:) trims, scalar for scalar.
@Suite struct TrimTests {
    static let pieces: [String] = [" ", "\t", "\n", "\r", "\u{0B}", "\u{0C}", "\u{85}", "\u{A0}", "\u{1680}", "\u{2000}", "\u{2007}",
                                   "\u{200A}", "\u{200B}", "\u{2028}", "\u{2029}", "\u{202F}", "\u{205F}", "\u{3000}", "\u{FEFF}",
                                   "a", "+91", "9", "é", "\u{301}", "😀", "-", "\u{0}", "\u{1F}", "\u{7F}"]

    @Test func sameAsFoundation() {
        var rng = SplitMix64(seed: 5)
        for _ in 0..<5_000 {
            let s = (0..<Int.random(in: 0...6, using: &rng)).map { _ in Self.pieces.randomElement(using: &rng)! }.joined()
            #expect(Text.trimmed(s) == s.trimmingCharacters(in: .whitespaces), "\(s.debugDescription)")
            #expect(Text.trimmed(s, newlines: true) == s.trimmingCharacters(in: .whitespacesAndNewlines), "\(s.debugDescription)")
        }
    }

    /// Every scalar of the Basic Multilingual Plane, alone and around a letter.
    @Test func everyBMPScalar() {
        for v in UInt32(0)...0xFFFF {
            guard let c = Unicode.Scalar(v) else { continue }
            let s = String(c) + "x" + String(c)
            #expect(Text.trimmed(s) == s.trimmingCharacters(in: .whitespaces), "U+\(String(v, radix: 16))")
            #expect(Text.trimmed(s, newlines: true) == s.trimmingCharacters(in: .whitespacesAndNewlines), "U+\(String(v, radix: 16))")
        }
    }
}
