import Foundation

/// The four events Lead Assist posts to the endpoints in the account settings.
public enum WebhookKind: String, Sendable, CaseIterable, Codable {
    case callComplete = "call_complete"
    case callerVerified = "caller_verified"
    case verificationFailed = "verification_failed"
    /// Only when the deallocation policy expires an allocation, never after a DELETE.
    case deallocated

    /// The setting that holds this event's endpoint.
    public var settingsField: Field {
        switch self {
        case .callComplete: return .callCompleteWebhook
        case .callerVerified: return .callerVerifiedWebhook
        case .verificationFailed: return .verificationFailedWebhook
        case .deallocated: return .deallocatedWebhook
        }
    }

    public init?(settingsField: Field) {
        guard let k = Self.allCases.first(where: { $0.settingsField == settingsField }) else { return nil }
        self = k
    }

    /// The payload's keys as the API notes list them (a deallocation carries an allocation object).
    public var documentedKeys: [String] {
        switch self {
        case .callComplete:
            return ["connection_id", "call_sid", "greenvn", "greenvn_id", "from", "to", "call_type", "start_time",
                    "current_time", "dial_call_duration", "on_call_duration", "recording_url", "dial_call_status",
                    "direction", "source"]
        case .callerVerified: return ["caller", "pin", "greenvn", "greenvn_id", "connection_id"]
        case .verificationFailed: return ["call_sid", "greenvn", "start_time", "caller", "pin"]
        case .deallocated: return ["connection_id", "aparty_numbers", "bparty_numbers", "usage", "state", "green_vn", "greenvn_id"]
        }
    }
}

/// A call through a VN, posted when it ends (`call_complete`).
public struct CallEvent: Equatable, Hashable, Sendable {
    public var connectionId: String
    public var callSid: String
    /// The VN the caller dialled (`greenvn` in this payload).
    public var greenVN: String
    public var greenvnId: String
    public var from: String
    public var to: String
    /// The allocation's usage when the call was placed: "oneway" or "twoway".
    public var callType: String?
    public var startTime: Date
    /// When the event was written (the call's end).
    public var currentTime: Date?
    /// Seconds from dialling the other party to the end, ringing included.
    public var dialCallDuration: Int?
    /// Seconds the two parties talked.
    public var onCallDuration: Int?
    public var recordingURL: String?
    /// completed, busy, no-answer, failed or canceled.
    public var dialCallStatus: String
    /// "a_to_b" or "b_to_a" (B calls A on two-way allocations only).
    public var direction: String?
    /// How the caller was recognised: "registered" (a party's number) or "pin" (a new caller's pin).
    public var source: String?

    public init(connectionId: String, callSid: String, greenVN: String, greenvnId: String, from: String, to: String,
                callType: String? = nil, startTime: Date, currentTime: Date? = nil, dialCallDuration: Int? = nil,
                onCallDuration: Int? = nil, recordingURL: String? = nil, dialCallStatus: String,
                direction: String? = nil, source: String? = nil) {
        self.connectionId = connectionId
        self.callSid = callSid
        self.greenVN = greenVN
        self.greenvnId = greenvnId
        self.from = from
        self.to = to
        self.callType = callType
        self.startTime = startTime
        self.currentTime = currentTime
        self.dialCallDuration = dialCallDuration
        self.onCallDuration = onCallDuration
        self.recordingURL = recordingURL
        self.dialCallStatus = dialCallStatus
        self.direction = direction
        self.source = source
    }
}

/// A caller whose number is not in the allocation entered one of its pins.
public struct CallerVerifiedEvent: Equatable, Hashable, Sendable {
    public var caller: String
    public var pin: Int
    public var greenVN: String
    public var greenvnId: String
    public var connectionId: String

    public init(caller: String, pin: Int, greenVN: String, greenvnId: String, connectionId: String) {
        self.caller = caller
        self.pin = pin
        self.greenVN = greenVN
        self.greenvnId = greenvnId
        self.connectionId = connectionId
    }
}

/// A caller whose number is not in the allocation entered a pin that is not one of its pins.
public struct VerificationFailedEvent: Equatable, Hashable, Sendable {
    public var callSid: String
    public var greenVN: String
    public var startTime: Date
    public var caller: String
    /// As the caller typed it (digits; may not be a valid pin at all).
    public var pin: String

    public init(callSid: String, greenVN: String, startTime: Date, caller: String, pin: String) {
        self.callSid = callSid
        self.greenVN = greenVN
        self.startTime = startTime
        self.caller = caller
        self.pin = pin
    }
}

/// One webhook payload, decoded.
public enum WebhookEvent: Equatable, Hashable, Sendable {
    case callComplete(CallEvent)
    case callerVerified(CallerVerifiedEvent)
    case verificationFailed(VerificationFailedEvent)
    /// The allocation, `state` vault.
    case deallocated(Allocation)

    public var kind: WebhookKind {
        switch self {
        case .callComplete: return .callComplete
        case .callerVerified: return .callerVerified
        case .verificationFailed: return .verificationFailed
        case .deallocated: return .deallocated
        }
    }

    /// The allocation it is about; nil for a failed verification (its payload names only the VN).
    public var greenvnId: String? {
        switch self {
        case .callComplete(let e): return e.greenvnId
        case .callerVerified(let e): return e.greenvnId
        case .verificationFailed: return nil
        case .deallocated(let a): return a.greenvnId
        }
    }
}

/// Webhook payloads on the wire: what the simulator posts and a receiver reads.
public enum Webhooks {
    /// Largest payload read; a deallocation with 100 numbers a side is under 8 KiB.
    public static let maxBodyBytes = 64 * 1024

    /// The payload as posted: every documented key, `null` where a value is unknown; times as
    /// ISO 8601 UTC ("2026-11-22T10:15:30Z").
    public static func json(_ event: WebhookEvent) -> JSONValue {
        func opt(_ s: String?) -> JSONValue { s.map(JSONValue.string) ?? .null }
        func opt(_ i: Int?) -> JSONValue { i.map { .int(Int64($0)) } ?? .null }
        switch event {
        case .callComplete(let e):
            return .object([
                "connection_id": .string(e.connectionId), "call_sid": .string(e.callSid), "greenvn": .string(e.greenVN),
                "greenvn_id": .string(e.greenvnId), "from": .string(e.from), "to": .string(e.to), "call_type": opt(e.callType),
                "start_time": .string(timestamp(e.startTime)), "current_time": opt(e.currentTime.map(timestamp)),
                "dial_call_duration": opt(e.dialCallDuration), "on_call_duration": opt(e.onCallDuration),
                "recording_url": opt(e.recordingURL), "dial_call_status": .string(e.dialCallStatus),
                "direction": opt(e.direction), "source": opt(e.source),
            ])
        case .callerVerified(let e):
            return .object(["caller": .string(e.caller), "pin": .int(Int64(e.pin)), "greenvn": .string(e.greenVN),
                            "greenvn_id": .string(e.greenvnId), "connection_id": .string(e.connectionId)])
        case .verificationFailed(let e):
            return .object(["call_sid": .string(e.callSid), "greenvn": .string(e.greenVN), "start_time": .string(timestamp(e.startTime)),
                            "caller": .string(e.caller), "pin": .string(e.pin)])
        case .deallocated(let a):
            return Wire.json(a)
        }
    }

    public static func body(_ event: WebhookEvent) -> Data { json(event).serialized() }

    public static func timestamp(_ d: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: d)
    }

    /// ISO 8601 with an offset or Z (fractions allowed), "yyyy-MM-dd HH:mm:ss" read as UTC, or epoch seconds.
    public static func parseTime(_ v: JSONValue) -> Date? {
        switch v {
        case .int(let i) where i >= 0 && i < 100_000_000_000: return Date(timeIntervalSince1970: TimeInterval(i))
        case .double(let d) where d >= 0 && d < 1e11: return Date(timeIntervalSince1970: d)
        case .string(let raw):
            let s = raw.trimmingCharacters(in: .whitespaces)
            let iso = ISO8601DateFormatter()
            iso.formatOptions = [.withInternetDateTime]
            if let d = iso.date(from: s) { return d }
            iso.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            if let d = iso.date(from: s) { return d }
            let plain = DateFormatter()
            plain.locale = Locale(identifier: "en_US_POSIX")
            plain.timeZone = TimeZone(identifier: "UTC")
            plain.dateFormat = "yyyy-MM-dd HH:mm:ss"
            return plain.date(from: s)
        default: return nil
        }
    }
}
