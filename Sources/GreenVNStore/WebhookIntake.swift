import Foundation
import GreenVNKit

/// What one webhook taught the registry.
public enum WebhookOutcome: Equatable, Sendable {
    /// A call recorded on its allocation (`new`: not seen before; a repeat delivery is one call).
    case call(greenvnId: String, new: Bool)
    /// A create whose answer was lost, now known by the greenvn_id the event carried.
    case settled(StoredAllocation)
    /// An allocation the registry did not hold, remembered from the service's GET.
    case learned(StoredAllocation)
    /// Its policy expired it: in the vault.
    case expired(StoredAllocation)
    /// Written to the audit log of the allocation it names (caller verified, verification failed).
    case audited(target: String)
    /// Nothing in the registry matches and the API could not tell more; kept in the log.
    case unmatched(String)
}

/// Applies Lead Assist's webhooks to the registry: calls per allocation, the vault when a policy
/// expires an allocation, and the greenvn_id of a create whose answer was lost. Every entry it
/// writes names "Lead Assist" as who acted.
public struct WebhookIntake: Sendable {
    public static let actor = "Lead Assist (webhook)"
    let operations: Operations
    var registry: Registry { operations.registry }

    public init(operations: Operations) { self.operations = operations }

    public func apply(_ event: WebhookEvent, now: Date = Date()) async throws -> WebhookOutcome {
        switch event {
        case .callComplete(let e): return try await call(e, now: now)
        case .deallocated(let a): return try await expired(a, now: now)
        case .callerVerified(let e):
            return try await note(target: e.greenvnId, connectionId: e.connectionId, action: "caller verified",
                                  outcome: "\(e.caller) entered the pin for \(e.greenVN)", now: now)
        case .verificationFailed(let e):
            let target = try registry.allocations(vn: e.greenVN).first { $0.allocation.state == .active }?.id ?? e.greenVN
            return try await note(target: target, connectionId: nil, action: "verification failed",
                                  outcome: "\(e.caller) entered a wrong pin for \(e.greenVN) (call \(e.callSid))", now: now)
        }
    }

    private func call(_ e: CallEvent, now: Date) async throws -> WebhookOutcome {
        let record = CallRecord(callSid: e.callSid, greenvnId: e.greenvnId, connectionId: e.connectionId, greenVN: e.greenVN,
                                from: e.from, to: e.to, direction: e.direction ?? "", callType: e.callType ?? "",
                                status: e.dialCallStatus, startedAt: e.startTime, dialSeconds: e.dialCallDuration,
                                talkSeconds: e.onCallDuration, recordingURL: e.recordingURL, receivedAt: now)
        let (new, settled, known) = try await registry.write { tx in
            let new = try tx.record(record)
            if try tx.allocation(id: e.greenvnId) != nil { return (new, nil as StoredAllocation?, true) }
            guard let s = try tx.settle(connectionId: e.connectionId, greenvnId: e.greenvnId, vn: e.greenVN, now: now) else {
                return (new, nil, false)
            }
            try tx.audit("settled", target: s.id, connectionId: e.connectionId, by: Self.actor,
                         outcome: "a call event named its greenvn_id \(s.id) (VN \(s.allocation.greenVN))", now: now)
            return (new, s, true)
        }
        if let settled {
            // The event names the id and VN; the rest (state, pins, flow) comes from a GET.
            return .settled((try? await operations.refresh(settled.id)) ?? settled)
        }
        if !known {
            // Lead Assist has no list call: an allocation it reports is worth remembering.
            if let s = try? await operations.importAllocation(e.greenvnId) { return .learned(s) }
            return .unmatched("call \(e.callSid) through \(e.greenVN) names greenvn_id \(e.greenvnId), which the registry does not hold and Lead Assist did not describe")
        }
        return .call(greenvnId: e.greenvnId, new: new)
    }

    private func expired(_ a: Allocation, now: Date) async throws -> WebhookOutcome {
        var vault = a
        vault.state = .vault
        let s = try await registry.write { [vault] tx in
            let s = try tx.remember(vault, how: "expired", request: nil, now: now, releasedBy: "Lead Assist (expired)")
            try tx.audit("expired", target: s.id, connectionId: s.connectionId.isEmpty ? nil : s.connectionId, by: Self.actor,
                         outcome: "its deallocation policy ran out: VN \(a.greenVN) released", now: now)
            return s
        }
        return .expired(s)
    }

    private func note(target: String, connectionId: String?, action: String, outcome: String, now: Date) async throws -> WebhookOutcome {
        try await registry.write { tx in
            try tx.audit(action, target: target, connectionId: connectionId, by: Self.actor, outcome: outcome, now: now)
        }
        return .audited(target: target)
    }
}
