import Foundation
import GreenVNKit
import GreenVNStore
import TerminalKit

/// How values read on screen. Pure; `now` and the time zone come from the state.
enum Format {
    /// The VN, or what we know instead of it.
    static func vn(_ a: StoredAllocation) -> String {
        switch a.status {
        case .pending: return "sending…"
        case .idUnknown: return "id unknown"
        case .known: return a.allocation.greenVN.isEmpty ? "—" : a.allocation.greenVN
        }
    }

    static func pins(_ pins: [Int]) -> String {
        pins.isEmpty ? "—" : pins.map(String.init).joined(separator: ", ")
    }

    static func state(_ a: StoredAllocation, now: Date) -> String {
        a.effectiveState(now: now).rawValue
    }

    /// Time left until `date`: "9m 59s", "2h 05m", "3d 4h", or "expired".
    static func countdown(to date: Date?, now: Date) -> String {
        guard let date else { return "—" }
        let s = Int(date.timeIntervalSince(now).rounded(.down))
        if s <= 0 { return "expired" }
        if s < 60 { return "\(s)s" }
        if s < 3_600 { return "\(s / 60)m \(twoDigits(s % 60))s" }
        if s < 86_400 { return "\(s / 3_600)h \(twoDigits((s % 3_600) / 60))m" }
        if s < 100 * 86_400 { return "\(s / 86_400)d \((s % 86_400) / 3_600)h" }
        return "\(s / 86_400)d"   // fits the 7-column list cell up to the 170-day maximum
    }

    /// The list's expires-in column: only live allocations count down.
    static func expiresIn(_ a: StoredAllocation, now: Date) -> String {
        switch a.effectiveState(now: now) {
        case .vault: return "—"
        case .expired: return "expired"
        case .active: return countdown(to: a.expiresAt, now: now)
        }
    }

    static func preferences(_ a: StoredAllocation) -> String {
        var parts = a.preferences.summary
        if a.strictness { parts += parts.isEmpty ? "strict" : " · strict" }
        return parts.isEmpty ? "—" : parts
    }

    /// "2025-01-15 14:03:09" in the operator's time zone.
    static func timestamp(_ date: Date, _ zone: TimeZone) -> String {
        let c = calendar(zone).dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return "\(c.year ?? 0)-\(twoDigits(c.month ?? 0))-\(twoDigits(c.day ?? 0)) \(twoDigits(c.hour ?? 0)):\(twoDigits(c.minute ?? 0)):\(twoDigits(c.second ?? 0))"
    }

    /// "01-15 14:03" for history and audit lines.
    static func short(_ date: Date, _ zone: TimeZone) -> String {
        let c = calendar(zone).dateComponents([.month, .day, .hour, .minute], from: date)
        return "\(twoDigits(c.month ?? 0))-\(twoDigits(c.day ?? 0)) \(twoDigits(c.hour ?? 0)):\(twoDigits(c.minute ?? 0))"
    }

    private static func calendar(_ zone: TimeZone) -> Calendar {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = zone
        return c
    }

    private static func twoDigits(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }

    /// Words of `text` wrapped to `width` columns, at most `maxLines` (the last one ends in …).
    static func wrap(_ text: String, width: Int, maxLines: Int = .max) -> [String] {
        guard width > 0, maxLines > 0 else { return [] }
        var lines: [String] = []
        var current = ""
        func push(_ s: String) { lines.append(s) }
        for word in text.split(separator: " ", omittingEmptySubsequences: true).map(String.init) {
            var w = word
            let candidate = current.isEmpty ? w : current + " " + w
            if DisplayWidth.of(candidate) <= width { current = candidate; continue }
            if !current.isEmpty { push(current); current = "" }
            while DisplayWidth.of(w) > width {
                var head = DisplayWidth.truncate(w, to: width, ellipsis: "")
                if head.isEmpty { head = String(w.prefix(1)) }   // a wide char in a 1-column line
                push(head)
                w = String(w.dropFirst(head.count))
            }
            current = w
        }
        if !current.isEmpty { push(current) }
        if lines.count > maxLines {
            // Joining the next line guarantees an overflow, so truncate adds the ellipsis.
            let last = lines[maxLines - 1] + " " + lines[maxLines]
            lines = Array(lines.prefix(maxLines))
            lines[maxLines - 1] = DisplayWidth.truncate(last, to: width)
        }
        return lines
    }
}
