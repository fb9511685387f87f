import Foundation
import GreenVNKit
import GreenVNStore

/// What commands print: JSON on stdout for --json, aligned text otherwise; notes and errors on stderr.
enum Output {
    static func line(_ s: String) { put(s + "\n", to: 1) }

    static func note(_ s: String) { put("greenvn: " + s + "\n", to: 2) }

    static func error(_ s: String) { put("greenvn: " + s + "\n", to: 2) }

    /// One write(2) per line, as FileHandle did, without building a Data of it (Data's generic
    /// initializer looks up protocol conformances at run time: a command's start pays for each).
    private static func put(_ text: String, to fd: Int32) {
        var text = text
        text.withUTF8 { bytes in
            var at = 0
            while at < bytes.count {
                let n = write(fd, bytes.baseAddress! + at, bytes.count - at)
                if n < 0 { if errno == EINTR { continue } else { return } }
                at += n
            }
        }
    }

    static var stderrIsTerminal: Bool { isatty(2) == 1 }

    /// One JSON document on a line of its own.
    static func json(_ v: JSONValue) {
        line(String(decoding: v.serialized(), as: UTF8.self))
    }

    static func json(_ a: Allocation) { json(Wire.json(a)) }

    /// One registry row as `list --json` prints it (see `RowJSON`; `show --json` adds its calls).
    static func json(_ s: StoredAllocation) { json(RowJSON.object(s)) }

    /// The detail block of one allocation.
    static func describe(_ s: StoredAllocation, headline: String, now: Date = Date()) {
        let a = s.allocation
        switch s.status {
        case .known: line("\(headline) \(a.greenVN)  (greenvn_id \(a.greenvnId))")
        case .pending: line("Pending create for connection_id \(a.connectionId): sent, outcome unknown; the next greenvn command that reaches Lead Assist re-sends it with the same connection_id")
        case .idUnknown: line("Allocated for connection_id \(a.connectionId), greenvn_id unknown (the answer was lost): find it in Exotel's dashboard or a webhook, then `greenvn import GREENVN_ID`")
        }
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
        if s.effectiveState(now: now) == .vault {
            // Released: when and by whom, not a countdown to an expiry that no longer applies.
            if let at = s.releasedAt { rows.append(("released", "\(TimeText.absolute(at)) by \(s.releasedBy ?? "Lead Assist")")) }
        } else if let e = s.expiresAt {
            rows.append((s.effectiveState(now: now) == .expired ? "expired" : "expires", "\(TimeText.absolute(e)) (\(TimeText.relative(e, now: now)))"))
        }
        for (k, v) in rows { line("  \(k + String(repeating: " ", count: max(0, 14 - k.count))) \(v)") }
    }

    static func warnings(_ w: [FieldError]) {
        for f in w { note("warning: \(f.field.flag) (\(f.field.rawValue)): \(f.message)") }
    }
}

/// `list --json` and `show --json`: the API's allocation object (`green_vn`, as `--json` prints
/// everywhere) plus what greenvn knows of it — `registry_status`, `expires_at`, `duration`,
/// `preferences`, `strictness`, `created_at`, `released_at`, `released_by`. A row without a
/// greenvn_id (pending, or allocated with its answer lost) is there too, with `greenvn_id` and
/// `green_vn` null.
enum RowJSON {
    static func object(_ s: StoredAllocation) -> JSONValue {
        guard case .object(var o) = Wire.json(s.allocation) else { return .null }
        if s.isPlaceholder {
            o["greenvn_id"] = .null
            o["green_vn"] = .null
        }
        o["registry_status"] = .string(s.status.rawValue)
        o["expires_at"] = s.expiresAt.map { .string(iso8601($0)) } ?? .null
        o["duration"] = s.durationText.map(JSONValue.string) ?? .null
        o["preferences"] = Wire.preferences(s.preferences, typeKey: "type") ?? .object([:])
        o["strictness"] = .bool(s.strictness)
        o["created_at"] = .string(iso8601(s.createdAt))
        o["released_at"] = s.releasedAt.map { .string(iso8601($0)) } ?? .null
        o["released_by"] = s.releasedBy.map(JSONValue.string) ?? .null
        return .object(o)
    }

    /// One call through the VN as `show --json` lists it (from the call-event webhook).
    static func call(_ c: CallRecord) -> JSONValue {
        func int(_ v: Int?) -> JSONValue { v.map { .int(Int64($0)) } ?? .null }
        return .object([
            "call_sid": .string(c.callSid), "green_vn": .string(c.greenVN), "from": .string(c.from), "to": .string(c.to),
            "status": .string(c.status), "direction": .string(c.direction),
            "started_at": c.startedAt.map { .string(iso8601($0)) } ?? .null,
            "dial_call_duration": int(c.dialSeconds), "on_call_duration": int(c.talkSeconds),
            "recording_url": c.recordingURL.map(JSONValue.string) ?? .null,
        ])
    }

    /// UTC, whole seconds: "2026-11-22T10:15:00Z".
    static func iso8601(_ d: Date) -> String { d.formatted(.iso8601) }
}
