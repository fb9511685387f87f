import Foundation
import Testing
@testable import GreenVNKit

/// TimeText writes dates by arithmetic; Foundation's formatters are the reference it must match.
@Suite struct TimeTextTests {
    static func reference(_ format: String) -> DateFormatter {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = format
        return f
    }

    /// Leap days, century years, the epoch, before it, and random moments from 1583 (Foundation's
    /// calendar is Julian before the Gregorian reform; the registry's times are all after 1970)
    /// up to year 9999.
    static var moments: [Date] {
        var rng = SplitMix64(seed: 11)
        var seconds: [Double] = [0, -1, -86_400, 951_782_400, 951_868_799, 4_107_542_399, 1_795_000_000.75, -2_208_988_800, 253_402_300_799]
        for _ in 0..<3_000 { seconds.append(Double(Int64.random(in: -12_212_553_600...253_402_300_799, using: &rng)) + 0.5) }
        return seconds.map(Date.init(timeIntervalSince1970:))
    }

    @Test func absoluteIsWhatDateFormatterWrites() {
        let f = Self.reference("yyyy-MM-dd HH:mm 'UTC'")
        for d in Self.moments {
            #expect(TimeText.absolute(d) == f.string(from: d), "\(d.timeIntervalSince1970)")
        }
    }

    @Test func iso8601IsWhatISO8601DateFormatterWrites() {
        let f = ISO8601DateFormatter()
        for d in Self.moments {
            #expect(TimeText.iso8601(d) == f.string(from: d), "\(d.timeIntervalSince1970)")
        }
    }
}
