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

    /// Time left until `date`, its last unit rounded to the nearest: "9m 59s", "2h 05m",
    /// "3d 4h", or "expired".
    static func countdown(to date: Date?, now: Date) -> String {
        guard let date else { return "—" }
        let left = date.timeIntervalSince(now)
        if left <= 0 { return "expired" }
        let s = max(1, Int(left.rounded()))
        if s < 60 { return "\(s)s" }
        if s < 3_600 { return "\(s / 60)m \(twoDigits(s % 60))s" }
        let minutes = Int((left / 60).rounded())
        if minutes < 24 * 60 { return "\(minutes / 60)h \(twoDigits(minutes % 60))m" }
        let hours = Int((left / 3_600).rounded())
        if hours < 100 * 24 { return "\(hours / 24)d \(hours % 24)h" }
        return "\(Int((left / 86_400).rounded()))d"   // fits the 7-column list cell up to the 170-day maximum
    }

    /// A call's length: "45s", "2m 05s", "1h 02m".
    static func duration(_ seconds: Int) -> String {
        if seconds < 60 { return "\(max(0, seconds))s" }
        if seconds < 3_600 { return "\(seconds / 60)m \(twoDigits(seconds % 60))s" }
        return "\(seconds / 3_600)h \(twoDigits((seconds % 3_600) / 60))m"
    }

    /// Lead Assist's lifetime when a create asks for none, as a duration is written: "24h".
    static var defaultLifetime: String { "\(Int(defaultAllocationLifetime / 3_600))h" }

    /// A live allocation this close to its expiry is marked in the list and the detail pane.
    static let expiryWarning: TimeInterval = 600

    static func expiresSoon(_ a: StoredAllocation, now: Date) -> Bool {
        guard a.effectiveState(now: now) == .active, let e = a.expiresAt else { return false }
        return e.timeIntervalSince(now) < expiryWarning
    }

    /// "KA Karnataka": a region's code and the telecom circle it names.
    static func region(_ r: Region) -> String { "\(r.rawValue) \(regionNames[r] ?? "")" }

    static let regionNames: [Region: String] = [
        .DL: "Delhi", .MU: "Mumbai", .MH: "Maharashtra", .WB: "West Bengal", .AP: "Andhra Pradesh",
        .TN: "Tamil Nadu", .GJ: "Gujarat", .KA: "Karnataka", .KL: "Kerala", .RJ: "Rajasthan", .MP: "Madhya Pradesh",
    ]

    /// The list's expires column: live allocations count down, expired ones say how long ago.
    static func expiresIn(_ a: StoredAllocation, now: Date) -> String {
        switch a.effectiveState(now: now) {
        case .vault: return "—"
        case .expired: return a.expiresAt.map { ago($0, now: now) } ?? "expired"
        case .active: return countdown(to: a.expiresAt, now: now)
        }
    }

    /// "<1m ago", "5m ago", "3h ago", "2d ago": fits the list's 7-column cell.
    static func ago(_ date: Date, now: Date) -> String {
        let s = Int(now.timeIntervalSince(date).rounded())
        if s < 60 { return "<1m ago" }
        if s < 3_600 { return "\(s / 60)m ago" }
        if s < 86_400 { return "\(s / 3_600)h ago" }
        return "\(s / 86_400)d ago"
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
