import Foundation
import GRDB
import GreenVNKit

/// Every change to an allocation goes through here: (outbox →) API → one transaction that
/// records the answer, its VN history and the audit entry together.
public final class Operations: @unchecked Sendable {
    public let api: LeadAssistAPI
    public let registry: Registry
    /// The clock (tests move it).
    var now: @Sendable () -> Date = { Date() }

    public init(api: LeadAssistAPI, registry: Registry) {
        self.api = api
        self.registry = registry
    }

    // MARK: create, exactly once

    /// Writes the request to the outbox (durably) before sending it; records the answer and
    /// removes the outbox entry in one transaction. Throws what the API said:
    /// `.refused` (entry removed, audited); `.allocatedResponseLost` (kept as an id_unknown row);
    /// `.network`/`.timeout`/`.badResponse`/`.unavailable` (outcome unknown: the entry stays,
    /// shown as a pending row, and `reconcile()` re-sends it with the same connection_id).
    public func allocate(_ r: AllocationRequest) async throws -> StoredAllocation {
        guard InFlight.insert(r.connectionId) else { throw Self.inFlight(r.connectionId) }
        defer { InFlight.remove(r.connectionId) }
        let isRetry = try await enqueue(r)
        switch await attempt(r, isRetry: isRetry) {
        case .allocated(let s): return s
        case .idUnknown: throw GreenVNError.allocatedResponseLost(connectionId: r.connectionId)
        case .refused(let e), .unrecorded(let e): throw e
        case .unknown(let e): throw e
        }
    }

    /// The outbox entry for `r`, leased to us. True when an earlier attempt's entry was taken
    /// over (this send is then a retry: code 18 means our earlier attempt landed).
    private func enqueue(_ r: AllocationRequest) async throws -> Bool {
        let at = now()
        do {
            return try await registry.writeAsync(durable: true) { db in
                guard let e = try Outbox.fetch(db, connectionId: r.connectionId) else {
                    try Outbox.insert(db, r, now: at)
                    return false
                }
                guard Outbox.isClaimable(e, now: at) else { throw Self.inFlight(r.connectionId) }
                guard e.request == Outbox.restore(Outbox.encode(r)) else { throw Self.differentRequest(r.connectionId) }
                guard try Outbox.claim(db, e, now: at) else { throw Self.inFlight(r.connectionId) }
                try AllocationRows.addPendingIfAbsent(db, r, now: at)
                return true
            }
        } catch let e as GreenVNError {
            throw e
        } catch {
            throw GreenVNError.configuration("the registry could not record the request before sending it, so nothing was sent: \(Registry.describe(error))")
        }
    }

    enum Outcome: Sendable {
        case allocated(StoredAllocation)
        case idUnknown(StoredAllocation)
        case refused(GreenVNError)
        /// No answer: the entry stays for `reconcile()`.
        case unknown(Error)
        /// Lead Assist acted but the registry could not record it (the error names the greenvn_id).
        case unrecorded(GreenVNError)
    }

    /// Sends a leased entry and records whatever comes back.
    func attempt(_ r: AllocationRequest, isRetry: Bool) async -> Outcome {
        let cid = r.connectionId
        let answer: Allocation
        let sentAt = now()
        do {
            answer = try await api.create(r)
        } catch {
            let at = now()
            switch Self.classify(error, isRetry: isRetry) {
            case .landed:
                do {
                    let s = try await registry.writeAsync { db in
                        let s = try AllocationRows.settleIdUnknown(db, r, now: at)
                        try Outbox.delete(db, connectionId: cid)
                        try AuditLog.append(db, action: "allocate", target: s.status == .known ? s.id : cid, connectionId: cid,
                                            outcome: s.status == .known ? AuditLog.ok : GreenVNError.allocatedResponseLost(connectionId: cid).description,
                                            now: at)
                        return s
                    }
                    return s.status == .known ? .allocated(s) : .idUnknown(s)
                } catch {
                    return .unknown(GreenVNError.allocatedResponseLost(connectionId: cid))
                }
            case .refused(let e):
                try? await registry.writeAsync { db in
                    try Outbox.delete(db, connectionId: cid)
                    try AllocationRows.dropPending(db, connectionId: cid)
                    try AuditLog.append(db, action: "allocate", target: cid, connectionId: cid, outcome: e.description, now: at)
                }
                return .refused(e)
            case .unknown:
                let text = AuditLog.outcome(of: error)
                try? await registry.writeAsync { db in
                    try Outbox.release(db, connectionId: cid, error: text)
                    try AuditLog.append(db, action: "allocate", target: cid, connectionId: cid, outcome: text, now: at)
                }
                return .unknown(error)
            }
        }
        var a = answer
        if a.connectionId.isEmpty { a.connectionId = cid }
        var lastError: Error?
        for pause in [0, 200, 1_000] {
            if pause > 0 { try? await Task.sleep(for: .milliseconds(pause)) }
            let at = now()
            do {
                let s = try await registry.writeAsync { [a] db in
                    let s = try AllocationRows.remember(db, a, how: "allocate", request: r, now: at, sentAt: sentAt)
                    try AuditLog.append(db, action: "allocate", target: a.greenvnId, connectionId: cid, outcome: AuditLog.ok, now: at)
                    try Outbox.delete(db, connectionId: cid)
                    return s
                }
                return .allocated(s)
            } catch {
                lastError = error
            }
        }
        return .unrecorded(.configuration("""
            Lead Assist allocated greenvn_id \(a.greenvnId) (VN \(a.greenVN)) for connection_id \(cid), \
            but the registry could not record it: \(Registry.describe(lastError!)). Keep this id: run \
            `greenvn import \(a.greenvnId)` once the registry is writable.
            """))
    }

    enum Class { case landed, refused(GreenVNError), unknown }

    /// `.landed`: allocated, answer lost. `.refused`: nothing was allocated. `.unknown`: no answer.
    static func classify(_ error: Error, isRetry: Bool) -> Class {
        guard let e = error as? GreenVNError else { return .unknown }
        switch e {
        case .allocatedResponseLost: return .landed
        case .refused(let r) where r.code == 18 && isRetry: return .landed
        case .refused, .invalid, .configuration: return .refused(e)
        case .network, .timeout, .badResponse, .unavailable, .outcomeUnknown: return .unknown
        }
    }

    static func inFlight(_ cid: String) -> GreenVNError {
        .invalid(ValidationFailure([FieldError(.connectionId,
            "a create for connection_id \(cid) is being sent right now (by this or another greenvn process): wait for it, then `greenvn list --filter \(cid)`",
            kind: .duplicate)]))
    }

    static func differentRequest(_ cid: String) -> GreenVNError {
        .invalid(ValidationFailure([FieldError(.connectionId,
            "connection_id \(cid) already has a create with other fields whose outcome is unknown; it will be re-sent as first written. Use another connection_id for this one",
            kind: .duplicate)]))
    }
}
