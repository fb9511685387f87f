import Foundation

/// Times as operators read them, shared by the CLI and the TUI.
public enum TimeText {
    public static func absolute(_ d: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd HH:mm 'UTC'"
        return f.string(from: d)
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
