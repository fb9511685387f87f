import Foundation
import GreenVNKit
import GreenVNStore

/// What commands print: JSON on stdout for --json, aligned text otherwise; notes and errors on stderr.
enum Output {
    static func line(_ s: String) {
        FileHandle.standardOutput.write(Data((s + "\n").utf8))
    }

    static func note(_ s: String) {
        FileHandle.standardError.write(Data(("greenvn: " + s + "\n").utf8))
    }

    static func error(_ s: String) {
        FileHandle.standardError.write(Data(("greenvn: " + s + "\n").utf8))
    }

    static var stderrIsTerminal: Bool { isatty(2) == 1 }

    static func json(_ a: Allocation) {
        line(String(decoding: Wire.json(a).serialized(), as: UTF8.self))
    }

    /// The detail block of one allocation.
    static func describe(_ s: StoredAllocation, headline: String, now: Date = Date()) {
        let a = s.allocation
        line("\(headline) \(a.greenVN)  (greenvn_id \(a.greenvnId))")
        var rows: [(String, String)] = [
            ("connection_id", a.connectionId),
            ("A-party", a.aparty.numbers.joined(separator: ", ")),
            ("B-party", a.bparty.numbers.joined(separator: ", ")),
        ]
        if !a.aparty.pins.isEmpty { rows.append(("A pins", a.aparty.pins.map(String.init).joined(separator: ", "))) }
        if !a.bparty.pins.isEmpty { rows.append(("B pins", a.bparty.pins.map(String.init).joined(separator: ", "))) }
        rows.append(("usage", a.usage.rawValue))
        rows.append(("state", s.effectiveState(now: now).rawValue))
        if let f = a.flowId { rows.append(("flow_id", f)) }
        if !s.preferences.isEmpty { rows.append(("preferences", s.preferences.summary + (s.strictness ? " (strict)" : ""))) }
        if let e = s.expiresAt { rows.append(("expires", "\(TimeText.absolute(e)) (\(TimeText.relative(e, now: now)))")) }
        for (k, v) in rows { line("  \(k.padding(toLength: 14, withPad: " ", startingAt: 0)) \(v)") }
    }

    static func warnings(_ w: [FieldError]) {
        for f in w { note("warning: \(f.field.flag) (\(f.field.rawValue)): \(f.message)") }
    }
}
