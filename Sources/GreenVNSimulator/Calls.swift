import Foundation
import GRDB
import GreenVNKit

/// A call to simulate through a VN (`POST /_sim/calls`, `Simulator.placeCall`).
public struct SimulatedCall: Equatable, Sendable {
    public static let statuses = ["completed", "busy", "no-answer", "failed", "canceled"]
    /// Seconds of ringing before the other side answers (or gives up).
    public static let ringSeconds = 5

    public var greenvnId: String
    /// The caller: a party of the allocation, a caller who joined with a pin, or a new caller with `pin`.
    public var from: String
    /// A number of the other side (default: its first).
    public var to: String?
    /// What a caller who is not a party types when asked for a pin.
    public var pin: String?
    /// One of `statuses`.
    public var status: String
    /// Seconds the parties talk (completed calls only; default 30).
    public var duration: Int?

    public init(greenvnId: String, from: String, to: String? = nil, pin: String? = nil,
                status: String = "completed", duration: Int? = nil) {
        self.greenvnId = greenvnId
        self.from = from
        self.to = to
        self.pin = pin
        self.status = status
        self.duration = duration
    }
}

/// What a simulated call did: connected or stopped at the pin, and the webhooks it queued.
public struct CallOutcome: Equatable, Sendable {
    public enum Result: String, Sendable { case connected, verificationFailed = "verification_failed" }
    public var result: Result
    public var callSid: String
    /// Every event the call produced, in order (caller verified, then the call; or verification failed).
    public var events: [WebhookEvent]
    /// The kinds among them that had an endpoint in the settings and were queued for delivery.
    public var queued: [WebhookKind]
}

/// Calls on the simulated VNs, by the usage rules: a party's number or a pin-verified caller
/// calls the other side; on a one-way allocation only the A side calls (A→B).
struct Calls: Sendable {
    let store: SimulatorStore
    let sender: WebhookSender

    func place(_ call: SimulatedCall) async throws -> CallOutcome {
        let (outcome, settings) = try await store.transaction { db, now in
            guard let stored = try SimulatorStore.fetch(db, id: call.greenvnId) else { throw Refusal.notFound }
            let outcome = try Self.resolve(call, stored.allocation, db: db, now: now)
            return (outcome, try SimulatorStore.settings(db))
        }
        var done = outcome
        done.queued = outcome.events.filter { sender.send($0, to: settings.webhooks[$0.kind]) }.map(\.kind)
        return done
    }

    /// A random call on a random live allocation (the `--calls-per-minute` demo); nil when none is live.
    func placeRandom(_ rng: inout SplitMix64) async throws -> CallOutcome? {
        let index = Int(rng.next() % 1_000_000)
        guard let a = try await store.transaction({ db, _ in try SimulatorStore.active(db, index: index) }) else { return nil }
        let sides = Self.sides(a)
        let fromB = a.usage == .twoway && rng.nextUnit() < 0.3
        let callers = fromB ? sides.b.numbers : sides.a.numbers
        guard !callers.isEmpty else { return nil }
        let from = callers[Int(rng.next() % UInt64(callers.count))]
        let roll = rng.nextUnit()
        let status = roll < 0.8 ? "completed" : roll < 0.9 ? "busy" : "no-answer"
        return try await place(SimulatedCall(greenvnId: a.greenvnId, from: from, status: status,
                                             duration: 5 + Int(rng.next() % 300)))
    }

    /// The allocation's two sides: the one place calls read its parties.
    static func sides(_ a: Allocation) -> (a: Party, b: Party) { (a.aparty, a.bparty) }

    private static func resolve(_ call: SimulatedCall, _ a: Allocation, db: Database, now: Int) throws -> CallOutcome {
        guard a.state == .active else { throw Refusal.alreadyDeleted }
        guard SimulatedCall.statuses.contains(call.status) else {
            throw Refusal.badRequest("status \"\(Text.printable(call.status, limit: 24))\" is not one of \(SimulatedCall.statuses.joined(separator: " "))")
        }
        if let d = call.duration, !(0...86_400).contains(d) { throw Refusal.badRequest("duration \(d) is out of range: 0–86400 seconds") }
        let from: String
        switch PhoneNumber.normalize(call.from) {
        case .success(let n): from = n
        case .failure(let why): throw Refusal(code: 16, message: "from: \(why.message)")
        }
        let sides = sides(a)
        let callSid = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let start = Date(timeIntervalSince1970: TimeInterval(now))
        var events: [WebhookEvent] = []
        var side: String
        var source = "registered"
        if sides.a.numbers.contains(from) { side = "a" }
        else if sides.b.numbers.contains(from) { side = "b" }
        else if let joined = try SimulatorStore.verifiedSide(db, greenvnId: a.greenvnId, number: from) { side = joined; source = "pin" }
        else {
            guard let typed = call.pin?.trimmingCharacters(in: .whitespaces), !typed.isEmpty else {
                throw Refusal.badRequest("from \(from) is not a party of this allocation nor a caller who joined with a pin: give \"pin\" to simulate a new caller entering one")
            }
            let pin = Int(typed).flatMap { p in typed.allSatisfy { $0.isASCII && $0.isNumber } && typed.count <= Pin.maxDigits ? p : nil }
            if let pin, sides.a.pins.contains(pin) { side = "a" }
            else if let pin, sides.b.pins.contains(pin) { side = "b" }
            else {
                let failed = VerificationFailedEvent(callSid: callSid, greenVN: a.greenVN, startTime: start, caller: from,
                                                     pin: Text.printable(typed, limit: Pin.maxDigits))
                return CallOutcome(result: .verificationFailed, callSid: callSid, events: [.verificationFailed(failed)], queued: [])
            }
            if side == "b" && a.usage == .oneway { throw onlyA(from) }
            try SimulatorStore.verify(db, greenvnId: a.greenvnId, number: from, side: side)
            events.append(.callerVerified(CallerVerifiedEvent(caller: from, pin: pin!, greenVN: a.greenVN,
                                                              greenvnId: a.greenvnId, connectionId: a.connectionId)))
            source = "pin"
        }
        if side == "b" && a.usage == .oneway { throw onlyA(from) }
        let others = side == "a" ? sides.b.numbers : sides.a.numbers
        let to: String
        if let wanted = call.to {
            guard case .success(let n) = PhoneNumber.normalize(wanted), others.contains(n) else {
                throw Refusal.badRequest("to \(Text.printable(wanted, limit: 24)) is not a number of the other side (\(others.joined(separator: " ")))")
            }
            to = n
        } else {
            guard let first = others.first else { throw Refusal.badRequest("the other side has no number to call") }
            to = first
        }
        let talk = call.status == "completed" ? (call.duration ?? 30) : 0
        let dial = SimulatedCall.ringSeconds + talk
        events.append(.callComplete(CallEvent(
            connectionId: a.connectionId, callSid: callSid, greenVN: a.greenVN, greenvnId: a.greenvnId, from: from, to: to,
            callType: a.usage.rawValue, startTime: start, currentTime: start.addingTimeInterval(TimeInterval(dial)),
            dialCallDuration: dial, onCallDuration: talk, recordingURL: nil, dialCallStatus: call.status,
            direction: side == "a" ? "a_to_b" : "b_to_a", source: source)))
        return CallOutcome(result: .connected, callSid: callSid, events: events, queued: [])
    }

    private static func onlyA(_ from: String) -> Refusal {
        Refusal(code: 8, message: "Permission denied to do this operation: \(from) is on the B side of a oneway allocation, where only the A side calls (A→B); make it twoway with a call-party update to let B call")
    }
}
