import Foundation

/// Why a webhook payload was refused, naming the field. Nothing of a refused payload is used.
public struct WebhookPayloadError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Problem: Equatable, Sendable {
        case empty
        case tooLarge(bytes: Int)
        /// Not JSON, or nested deeper than `JSONValue.maxDepth`.
        case notJSON
        case notAnObject
        /// Its keys match none of the four payloads.
        case unknownKind
        case missing
        case wrongType(expected: String, found: String)
        /// The right type, but a value no payload can carry (a negative duration, a 300-character id).
        case invalid(String)
    }

    /// The payload kind it was read as (nil when it could not be told).
    public var kind: WebhookKind?
    /// The JSON key at fault (nil for problems of the whole body).
    public var field: String?
    public var problem: Problem

    public init(kind: WebhookKind?, field: String?, problem: Problem) {
        self.kind = kind
        self.field = field
        self.problem = problem
    }

    public var description: String {
        let what = "webhook payload refused\(kind.map { " (\($0.rawValue))" } ?? "")"
        let key = field.map { "\"\(Text.printable($0, limit: 40))\"" } ?? ""
        switch problem {
        case .empty: return "\(what): the body is empty. Check the sender posts JSON to this URL."
        case .tooLarge(let n): return "\(what): the body has \(n) bytes, more than \(Webhooks.maxBodyBytes). Check the URL in the account settings points at this receiver."
        case .notJSON: return "\(what): the body is not JSON (or nested too deep). Check the URL in the account settings points at this receiver."
        case .notAnObject: return "\(what): the body is not a JSON object. Check the URL in the account settings points at this receiver."
        case .unknownKind: return "\(what): its keys match no Lead Assist event (call, caller verified, verification failed, deallocation). Check the sender."
        case .missing: return "\(what): \(key) is missing. The sender left out a field this event always has. Check the sender sends the documented payload."
        case .wrongType(let expected, let found): return "\(what): \(key) is \(found), expected \(expected). Check the sender sends the documented payload."
        case .invalid(let why): return "\(what): \(key) \(why). Check the sender sends the documented payload."
        }
    }
}

extension Webhooks {
    /// A payload whose kind is told by its keys: what a receiver does when one URL gets every event.
    public static func decode(_ body: Data) throws(WebhookPayloadError) -> WebhookEvent {
        let o = try object(body, kind: nil)
        guard let kind = kind(of: o) else { throw WebhookPayloadError(kind: nil, field: nil, problem: .unknownKind) }
        return try decode(o, as: kind)
    }

    /// A payload read as `kind` (a receiver with one URL per event).
    public static func decode(_ body: Data, as kind: WebhookKind) throws(WebhookPayloadError) -> WebhookEvent {
        try decode(try object(body, kind: kind), as: kind)
    }

    /// Which payload these keys are: an allocation's keys, a call's status, a pin with or without a call.
    static func kind(of o: [String: JSONValue]) -> WebhookKind? {
        if o["greenvn_id"] == nil, case .object(let data)? = o["data"] { return kind(of: data) }
        if o["aparty_numbers"] != nil || o["state"] != nil || o["green_vn"] != nil { return .deallocated }
        if o["dial_call_status"] != nil || o["on_call_duration"] != nil || o["dial_call_duration"] != nil { return .callComplete }
        if o["pin"] != nil && o["call_sid"] != nil { return .verificationFailed }
        if o["pin"] != nil && o["caller"] != nil { return .callerVerified }
        return nil
    }

    private static func object(_ body: Data, kind: WebhookKind?) throws(WebhookPayloadError) -> [String: JSONValue] {
        if body.isEmpty { throw WebhookPayloadError(kind: kind, field: nil, problem: .empty) }
        if body.count > maxBodyBytes { throw WebhookPayloadError(kind: kind, field: nil, problem: .tooLarge(bytes: body.count)) }
        guard let root = try? JSONValue.parse(body) else { throw WebhookPayloadError(kind: kind, field: nil, problem: .notJSON) }
        guard case .object(let o) = root else { throw WebhookPayloadError(kind: kind, field: nil, problem: .notAnObject) }
        return o
    }

    private static func decode(_ o: [String: JSONValue], as kind: WebhookKind) throws(WebhookPayloadError) -> WebhookEvent {
        let r = Reader(o: o, kind: kind)
        switch kind {
        case .callComplete:
            return .callComplete(CallEvent(
                connectionId: try r.text("connection_id")!, callSid: try r.text("call_sid")!,
                greenVN: try r.phone("greenvn")!, greenvnId: try r.text("greenvn_id")!,
                from: try r.phone("from")!, to: try r.phone("to")!, callType: try r.text("call_type", required: false, limit: 32),
                startTime: try r.time("start_time")!, currentTime: try r.time("current_time", required: false),
                dialCallDuration: try r.seconds("dial_call_duration"), onCallDuration: try r.seconds("on_call_duration"),
                recordingURL: try r.text("recording_url", required: false, limit: 2_048),
                dialCallStatus: try r.text("dial_call_status", limit: 32)!,
                direction: try r.text("direction", required: false, limit: 32), source: try r.text("source", required: false, limit: 32)))
        case .callerVerified:
            return .callerVerified(CallerVerifiedEvent(
                caller: try r.phone("caller")!, pin: try r.pin("pin"), greenVN: try r.phone("greenvn")!,
                greenvnId: try r.text("greenvn_id")!, connectionId: try r.text("connection_id")!))
        case .verificationFailed:
            return .verificationFailed(VerificationFailedEvent(
                callSid: try r.text("call_sid")!, greenVN: try r.phone("greenvn")!, startTime: try r.time("start_time")!,
                caller: try r.phone("caller")!, pin: try r.typedPin("pin")))
        case .deallocated:
            // An allocation object, bare or as the `data` of an envelope.
            let inner: Reader
            if o["greenvn_id"] == nil, case .object(let d)? = o["data"] { inner = Reader(o: d, kind: kind) } else { inner = r }
            return .deallocated(try inner.allocation())
        }
    }
}

/// Reads one payload's fields, each refused with its name when absent, mistyped or out of bounds.
/// Text is made printable (control characters become "?") as everywhere in Wire.
private struct Reader {
    let o: [String: JSONValue]
    let kind: WebhookKind

    func fail(_ field: String, _ problem: WebhookPayloadError.Problem) -> WebhookPayloadError {
        WebhookPayloadError(kind: kind, field: field, problem: problem)
    }

    /// A string (a number is taken as its digits); nil only when absent or null and not required.
    func text(_ key: String, required: Bool = true, limit: Int = 128) throws(WebhookPayloadError) -> String? {
        guard let v = o[key], v != .null else {
            if required { throw fail(key, .missing) }
            return nil
        }
        let s: String
        switch v {
        case .string(let x): s = x
        case .int(let i): s = String(i)
        default: throw fail(key, .wrongType(expected: "a string", found: Wire.kindName(v)))
        }
        if s.count > limit { throw fail(key, .invalid("has \(s.count) characters, at most \(limit)")) }
        if required && s.trimmingCharacters(in: .whitespaces).isEmpty { throw fail(key, .invalid("is empty")) }
        return Text.printable(s, limit: limit)
    }

    /// A phone number as Lead Assist writes them: an optional + and 4–16 digits.
    func phone(_ key: String) throws(WebhookPayloadError) -> String? {
        let s = try text(key, limit: 32)!
        let digits = s.hasPrefix("+") ? s.dropFirst() : Substring(s)
        guard (4...16).contains(digits.count), digits.allSatisfy(\.isASCIIDigit) else {
            throw fail(key, .invalid("\"\(s)\" is not a phone number (+ and digits)"))
        }
        return s
    }

    func time(_ key: String, required: Bool = true) throws(WebhookPayloadError) -> Date? {
        guard let v = o[key], v != .null else {
            if required { throw fail(key, .missing) }
            return nil
        }
        guard let d = Webhooks.parseTime(v) else {
            throw fail(key, .invalid("is not a time: ISO 8601 (2026-11-22T10:15:30Z), \"yyyy-MM-dd HH:mm:ss\" or epoch seconds"))
        }
        return d
    }

    /// A non-negative whole number of seconds, or a string of one; nil when absent or null.
    func seconds(_ key: String) throws(WebhookPayloadError) -> Int? {
        guard let v = o[key], v != .null else { return nil }
        switch v {
        case .int, .double, .string:
            guard let text = v.stringValue, let n = Int(text) else {
                throw fail(key, .invalid("is not a whole number of seconds"))
            }
            guard (0...(366 * 86_400)).contains(n) else { throw fail(key, .invalid("is \(n): seconds from 0 to a year")) }
            return n
        default:
            throw fail(key, .wrongType(expected: "a number of seconds", found: Wire.kindName(v)))
        }
    }

    /// One of an allocation's pins: a positive whole number (or its digits as a string).
    func pin(_ key: String) throws(WebhookPayloadError) -> Int {
        let typed = try typedPin(key)
        switch Pin.parse(typed) {
        case .success(let p): return p
        case .failure(let why): throw fail(key, .invalid(why.message))
        }
    }

    /// A pin as typed: digits, up to 15 of them.
    func typedPin(_ key: String) throws(WebhookPayloadError) -> String {
        guard let v = o[key], v != .null else { throw fail(key, .missing) }
        let s: String
        switch v {
        case .string(let x): s = x.trimmingCharacters(in: .whitespaces)
        case .int(let i): s = String(i)
        default: throw fail(key, .wrongType(expected: "digits (a number or a string)", found: Wire.kindName(v)))
        }
        guard s.count <= Pin.maxDigits, s.allSatisfy(\.isASCIIDigit) else {
            throw fail(key, .invalid("\"\(Text.printable(s, limit: 20))\" is not a pin: up to \(Pin.maxDigits) digits"))
        }
        return s
    }

    /// The allocation of a deallocation event, which must be in the vault.
    func allocation() throws(WebhookPayloadError) -> Allocation {
        _ = try text("greenvn_id")
        guard let vn = o["green_vn"] ?? o["greenvn"] else { throw fail("green_vn", .missing) }
        guard case .string = vn else { throw fail("green_vn", .wrongType(expected: "a string", found: Wire.kindName(vn))) }
        let usage = try text("usage", limit: 16)!
        guard Usage(rawValue: usage.lowercased()) != nil else { throw fail("usage", .invalid("\"\(usage)\" is not oneway or twoway")) }
        for key in ["aparty_numbers", "bparty_numbers"] {
            guard let v = o[key] else { throw fail(key, .missing) }
            guard let items = v.arrayValue else { throw fail(key, .wrongType(expected: "an array of numbers", found: Wire.kindName(v))) }
            if items.count > Validate.maxNumbersPerSide { throw fail(key, .invalid("has \(items.count) numbers, at most \(Validate.maxNumbersPerSide)")) }
            if let bad = items.first(where: { if case .string = $0 { return false } else { return true } }) {
                throw fail(key, .wrongType(expected: "an array of strings", found: "an array holding \(Wire.kindName(bad))"))
            }
        }
        let state = try text("state", limit: 16)!
        guard state.lowercased() == AllocationState.vault.rawValue else {
            throw fail("state", .invalid("is \"\(state)\": a deallocation event carries state vault"))
        }
        guard let a = Wire.allocation(from: .object(o)) else { throw fail("greenvn_id", .invalid("does not make an allocation")) }
        return a
    }
}
