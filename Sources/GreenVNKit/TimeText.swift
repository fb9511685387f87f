import Foundation

/// Times as operators read them, shared by the CLI and the TUI.
public enum TimeText {
    /// "2026-11-22 09:05 UTC". Worked out from the epoch seconds, not with a DateFormatter:
    /// that loads ICU and its data on a command's output path (~2 M instructions).
    public static func absolute(_ d: Date) -> String {
        guard let c = Civil(d) else { return "\(d.timeIntervalSince1970)" }
        return "\(pad(c.year, 4))-\(pad(c.month, 2))-\(pad(c.day, 2)) \(pad(c.hour, 2)):\(pad(c.minute, 2)) UTC"
    }

    /// "2026-11-22T09:05:07Z", as `ISO8601DateFormatter`'s default writes it (greenvn.log's stamps).
    public static func iso8601(_ d: Date) -> String {
        guard let c = Civil(d) else { return "\(d.timeIntervalSince1970)" }
        return "\(pad(c.year, 4))-\(pad(c.month, 2))-\(pad(c.day, 2))T\(pad(c.hour, 2)):\(pad(c.minute, 2)):\(pad(c.second, 2))Z"
    }

    /// A moment's UTC calendar fields (proleptic Gregorian), seconds rounded down.
    struct Civil: Equatable {
        var year, month, day, hour, minute, second: Int64

        init?(_ d: Date) {
            let t = d.timeIntervalSince1970
            guard t.isFinite, abs(t) < 1e13 else { return nil }
            let secs = Int64(t.rounded(.down))
            let days = secs >= 0 ? secs / 86_400 : (secs - 86_399) / 86_400
            let rem = secs - days * 86_400
            // Howard Hinnant's civil_from_days.
            let z = days + 719_468
            let era = (z >= 0 ? z : z - 146_096) / 146_097
            let doe = z - era * 146_097
            let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365
            let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
            let mp = (5 * doy + 2) / 153
            day = doy - (153 * mp + 2) / 5 + 1
            month = mp < 10 ? mp + 3 : mp - 9
            year = yoe + era * 400 + (month <= 2 ? 1 : 0)
            hour = rem / 3_600
            minute = rem % 3_600 / 60
            second = rem % 60
        }
    }

    private static func pad(_ n: Int64, _ width: Int) -> String {
        let s = String(n.magnitude)
        return (n < 0 ? "-" : "") + (s.count >= width ? s : String(repeating: "0", count: width - s.count) + s)
    }

    /// "in 9m", "in 2d 3h", "expired 5m ago".
    public static func relative(_ d: Date, now: Date) -> String {
        let s = Int(d.timeIntervalSince(now))
        let span = abs(s)
        let text: String
        if span >= 86_400 { text = "\(span / 86_400)d \(span % 86_400 / 3_600)h" }
        else if span >= 3_600 { text = "\(span / 3_600)h \(span % 3_600 / 60)m" }
        else if span >= 60 { text = "\(span / 60)m" }
        else { text = "\(span)s" }
        return s >= 0 ? "in \(text)" : "expired \(text) ago"
    }
}
