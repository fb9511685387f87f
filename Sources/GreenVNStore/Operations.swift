import Foundation
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
    /// removes the outbox entry in one transaction. A create the registry already holds (the
    /// same connection_id with the same parties and usage) answers with that allocation and
    /// sends nothing. Throws what the API said:
    /// `.refused` (entry removed, audited); `.allocatedResponseLost` (kept as an id_unknown row);
    /// `.network`/`.timeout`/`.badResponse`/`.unavailable` (outcome unknown: the entry stays,
    /// shown as a pending row, and `reconcile()` re-sends it with the same connection_id).
    public func allocate(_ r: AllocationRequest) async throws -> StoredAllocation {
        guard InFlight.insert(r.connectionId) else { throw Self.inFlight(r.connectionId, by: nil) }
        defer { InFlight.remove(r.connectionId) }
        // Written once: the outbox stores exactly the body that is sent.
        let body = Wire.body(r)
        let isRetry: Bool
        switch try await enqueue(r, body: body) {
        case .known(let s): return s
        case .new: isRetry = false
        case .retry: isRetry = true
        }
        switch await attempt(r, body: body, isRetry: isRetry) {
        case .allocated(let s): return s
        case .idUnknown: throw GreenVNError.allocatedResponseLost(connectionId: r.connectionId)
        case .refused(let e), .unrecorded(let e): throw e
        case .unknown(let e): throw e
        }
    }

    enum Enqueued: Sendable {
        /// Written to the outbox, leased to us.
        case new
        /// An earlier attempt's entry, taken over: this send is a retry (code 18 means our
        /// earlier attempt landed).
        case retry
        /// The registry already holds this very create.
        case known(StoredAllocation)
    }

    private func enqueue(_ r: AllocationRequest, body: Data) async throws -> Enqueued {
        let text = String(decoding: body, as: UTF8.self)
        let at = now()
        do {
            return try await registry.write(durable: true) { tx in
                try tx.db.lock([r.connectionId])
                return try Self.enqueue(r, text: text, in: tx, now: at, anyHeld: false)
            }
        } catch let e as GreenVNError {
            throw e
        } catch {
            throw Self.unrecordedRequest(error)
        }
    }

    static func unrecordedRequest(_ error: Error) -> GreenVNError {
        .configuration("the registry could not record the request before sending it, so nothing was sent: \(AuditLog.outcome(of: error))")
    }

    /// One create into the outbox, inside a transaction that holds its connection_id's lock.
    /// Throws a `GreenVNError` (before writing anything) for a create that must not be sent, or
    /// the registry's error. `anyHeld`: any allocation the registry holds for this connection_id
    /// answers `.known`, whatever its parties or state (bulk: a rerun skips what it holds).
    static func enqueue(_ r: AllocationRequest, text: String, in tx: RegistryTransaction, now at: Date, anyHeld: Bool) throws -> Enqueued {
        let row = try tx.allocation(connectionId: r.connectionId)
        if let held = row, held.status != .pending {
            if anyHeld { return .known(held) }
            guard Self.sameCreate(held.allocation, r) else { throw Self.taken(r.connectionId, by: held) }
            // Allocated before; an id_unknown row's answer was lost, and sending it again
            // would only hear code 18.
            guard held.status == .known else { throw GreenVNError.allocatedResponseLost(connectionId: r.connectionId) }
            return .known(held)
        }
        guard let e = try tx.outboxEntry(connectionId: r.connectionId) else {
            try tx.insertOutbox(r, body: text, now: at, rowAbsent: row == nil)
            return .new
        }
        guard try tx.isClaimable(e, now: at) else { throw Self.inFlight(r.connectionId, by: e.owner) }
        guard e.request == Outbox.restore(text) else { throw Self.differentRequest(r.connectionId) }
        guard try tx.claim(e, now: at) else { throw Self.inFlight(r.connectionId, by: e.owner) }
        try tx.addPendingIfAbsent(r, now: at)
        return .retry
    }

    /// The known allocation is what this create asks for (the VN and its preferences aside:
    /// Lead Assist chose those).
    static func sameCreate(_ a: Allocation, _ r: AllocationRequest) -> Bool {
        a.aparty == r.aparty && a.bparty == r.bparty && a.usage == r.usage
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
    func attempt(_ r: AllocationRequest, body: Data? = nil, isRetry: Bool) async -> Outcome {
        await record(r, await send(r, body: body), isRetry: isRetry)
    }

    /// What the API said to one create, not recorded yet.
    enum Sent: Sendable {
        case answer(Allocation, sentAt: Date)
        case failed(Error)
    }

    /// Sends a leased entry's create.
    func send(_ r: AllocationRequest, body: Data? = nil) async -> Sent {
        let sentAt = now()
        do {
            var a = try await api.create(r, body: body ?? Wire.body(r))
            if a.connectionId.isEmpty { a.connectionId = r.connectionId }
            return .answer(a, sentAt: sentAt)
        } catch {
            return .failed(error)
        }
    }

    /// Records what one create's send came to, inside a transaction: the answer (its row, audit,
    /// outbox entry removed), a refusal (entry and pending row dropped), an allocation whose
    /// answer was lost (id_unknown row) or no outcome (entry kept, lease released). Throws only
    /// the registry's errors.
    static func settle(_ r: AllocationRequest, _ sent: Sent, isRetry: Bool, in tx: RegistryTransaction, now at: Date) throws -> Outcome {
        let cid = r.connectionId
        switch sent {
        case .answer(let a, let sentAt):
            let s = try tx.remember(a, how: "allocate", request: r, now: at, sentAt: sentAt)
            try tx.audit("allocate", target: a.greenvnId, connectionId: cid, outcome: AuditLog.ok, now: at)
            try tx.deleteOutbox(connectionId: cid)
            return .allocated(s)
        case .failed(let error):
            switch classify(error, isRetry: isRetry) {
            case .landed:
                let s = try tx.settleIdUnknown(r, now: at)
                try tx.deleteOutbox(connectionId: cid)
                try tx.audit("allocate", target: s.status == .known ? s.id : cid, connectionId: cid,
                             outcome: s.status == .known ? AuditLog.ok : GreenVNError.allocatedResponseLost(connectionId: cid).description,
                             now: at)
                return s.status == .known ? .allocated(s) : .idUnknown(s)
            case .refused(let e):
                try tx.deleteOutbox(connectionId: cid)
                try tx.dropPending(connectionId: cid)
                try tx.audit("allocate", target: cid, connectionId: cid, outcome: e.description, now: at)
                return .refused(e)
            case .unknown:
                let text = AuditLog.outcome(of: error)
                try tx.releaseOutbox(connectionId: cid, error: text)
                try tx.audit("allocate", target: cid, connectionId: cid, outcome: text, now: at)
                return .unknown(error)
            }
        }
    }

    /// Records what one send came to in a transaction of its own (an answer is tried three times).
    func record(_ r: AllocationRequest, _ sent: Sent, isRetry: Bool) async -> Outcome {
        let cid = r.connectionId
        switch sent {
        case .failed(let sentError):
            let at = now()
            let classified = Self.classify(sentError, isRetry: isRetry)
            do {
                return try await registry.write { tx in try Self.settle(r, sent, isRetry: isRetry, in: tx, now: at) }
            } catch {
                switch classified {
                case .landed: return .unknown(GreenVNError.allocatedResponseLost(connectionId: cid))
                case .refused(let e): return .refused(e)
                case .unknown: return .unknown(sentError)
                }
            }
        case .answer(let a, _):
            var lastError: Error?
            for pause in [0, 200, 1_000] {
                if pause > 0 { try? await Task.sleep(for: .milliseconds(pause)) }
                let at = now()
                do {
                    return try await registry.write { tx in try Self.settle(r, sent, isRetry: isRetry, in: tx, now: at) }
                } catch {
                    lastError = error
                }
            }
            return .unrecorded(.configuration("""
                Lead Assist allocated greenvn_id \(a.greenvnId) (VN \(a.greenVN)) for connection_id \(cid), \
                but the registry could not record it: \(AuditLog.outcome(of: lastError!)). Keep this id: run \
                `greenvn import \(a.greenvnId)` once the registry is writable.
                """))
        }
    }

    enum Class { case landed, refused(GreenVNError), unknown }

    /// `.landed`: allocated, answer lost. `.refused`: nothing was allocated. `.unknown`: no answer.
    static func classify(_ error: Error, isRetry: Bool) -> Class {
        guard let e = error as? GreenVNError else { return .unknown }
        switch e {
        case .allocatedResponseLost: return .landed
        case .refused(let r) where r.code == 18 && isRetry: return .landed
        case .refused, .invalid, .configuration: return .refused(e)
        case .network, .timeout, .badResponse, .unavailable, .outcomeUnknown, .notDone: return .unknown
        }
    }

    static func inFlight(_ cid: String, by owner: LeaseOwner?) -> GreenVNError {
        let who = owner.map { "by \($0.described)" } ?? "by this or another greenvn process"
        return .invalid(ValidationFailure([FieldError(.connectionId,
            "a create for connection_id \(cid) is being sent right now \(who): wait for it, then look for \(cid) in the list",
            kind: .duplicate)]))
    }

    static func taken(_ cid: String, by held: StoredAllocation) -> GreenVNError {
        .invalid(ValidationFailure([FieldError(.connectionId,
            "connection_id \(cid) already belongs to \(held.status == .known ? "allocation \(held.id) (VN \(held.allocation.greenVN))" : "an allocation whose greenvn_id was lost") with other parties: use another connection_id",
            kind: .duplicate)]))
    }

    static func differentRequest(_ cid: String) -> GreenVNError {
        .invalid(ValidationFailure([FieldError(.connectionId,
            "connection_id \(cid) already has a create with other fields whose outcome is unknown; it will be re-sent as first written. Use another connection_id for this one",
            kind: .duplicate)]))
    }
}
