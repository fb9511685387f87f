import Foundation
import GreenVNKit

/// The calls on an existing allocation. Each: API call → one transaction recording the answer
/// (VN history when the VN changed) and the audit entry. On an API error the registry learns what
/// the error tells (code 22: it is in the vault; code 1: kept, audited) and the error is rethrown.
/// When every answer of a change was lost (network, timeout, not-JSON, 5xx after the client's
/// retries), one GET settles it: if the allocation shows the change, it happened — recorded and
/// returned as a success; if not, what the GET showed is recorded and the error rethrown.
extension Operations {
    public func swap(_ id: String, _ r: SwapRequest) async throws -> StoredAllocation {
        let how = r.preferences.isEmpty ? "swap" : "swap (preferences)"
        return try await change(id, action: how, landed: { now, before in
            guard let before, before.status == .known else { return false }
            return now.greenVN != before.allocation.greenVN
        }) { stored in
            try await self.api.swap(id, r, knownVN: stored?.allocation.greenVN)
        }
    }

    /// GET it and remember it; history only if the VN changed; last_synced_at = now.
    public func refresh(_ id: String) async throws -> StoredAllocation {
        try await change(id, action: "refresh") { _ in try await self.api.details(id) }
    }

    public func updateParties(_ id: String, _ u: PartyUpdate) async throws -> StoredAllocation {
        try await change(id, action: "update parties", landed: { a, _ in u.isApplied(to: a) }) { _ in try await self.api.updateParties(id, u) }
    }

    public func deallocate(_ id: String) async throws -> StoredAllocation {
        try await change(id, action: "deallocate", landed: { a, _ in a.state == .vault }) { _ in try await self.api.deallocate(id) }
    }

    /// GET an allocation (made elsewhere, or ours whose answer was lost) and remember it. An
    /// id_unknown or pending row with the same connection_id is replaced by it, and a create
    /// still in the outbox for that connection_id is settled.
    public func importAllocation(_ id: String) async throws -> StoredAllocation {
        try await change(id, action: "import", settlesOutbox: true) { _ in try await self.api.details(id) }
    }

    private func change(_ id: String, action: String, settlesOutbox: Bool = false,
                        landed: (@Sendable (Allocation, StoredAllocation?) -> Bool)? = nil,
                        _ call: @escaping @Sendable (StoredAllocation?) async throws -> Allocation) async throws -> StoredAllocation {
        if id.hasPrefix("pending:") { throw Self.noIdYet(id) }
        let stored: StoredAllocation?
        do {
            stored = try await registry.read { try $0.allocation(id: id) }
        } catch {
            throw GreenVNError.configuration("cannot read the registry: \(AuditLog.outcome(of: error))")
        }
        let answer: Allocation
        do {
            answer = try await call(stored)
        } catch {
            if let landed, case .unknown = Self.classify(error, isRetry: false), let fresh = try? await api.details(id) {
                if landed(fresh, stored) {
                    return try await record(fresh, id: id, action: action, settlesOutbox: settlesOutbox,
                                            outcome: "ok (every answer was lost; a GET showed it done)")
                }
                // Audited as what was tried (a swap stays a swap in the log), with the state the GET showed.
                _ = try? await record(fresh, id: id, action: action, how: "refresh", settlesOutbox: false,
                                      outcome: "not done (every answer was lost; a GET after shows it did not happen: \(AuditLog.outcome(of: error)))")
                throw GreenVNError.notDone(what: Self.what(action))
            }
            let at = now()
            let outcome = AuditLog.outcome(of: error)
            try? await registry.write { tx in
                if case .refused(let r)? = error as? GreenVNError, r.code == 22, stored != nil {
                    try tx.markVault(id: id, now: at)
                }
                try tx.audit(action, target: id, connectionId: stored?.connectionId, outcome: outcome, now: at)
            }
            throw error
        }
        return try await record(answer, id: id, action: action, settlesOutbox: settlesOutbox, outcome: AuditLog.ok)
    }

    /// The answer, its VN history and the audit entry in one transaction.
    private func record(_ a: Allocation, id: String, action: String, how: String? = nil, settlesOutbox: Bool,
                        outcome: String) async throws -> StoredAllocation {
        let at = now()
        do {
            let releasedBy = action == "deallocate" ? Identity.described : nil
            return try await registry.write { tx in
                let s = try tx.remember(a, how: how ?? action, request: nil, now: at, releasedBy: releasedBy)
                if settlesOutbox, !s.connectionId.isEmpty { try tx.deleteOutbox(connectionId: s.connectionId) }
                try tx.audit(action, target: id, connectionId: s.connectionId.isEmpty ? nil : s.connectionId,
                             outcome: outcome, now: at)
                return s
            }
        } catch {
            throw GreenVNError.configuration("""
                Lead Assist answered (\(action) of \(id): VN \(a.greenVN), \(a.state.rawValue)) but the registry \
                could not record it: \(AuditLog.outcome(of: error)). Run `greenvn import \(id)` once it is writable.
                """)
        }
    }

    /// "the swap", as a sentence names an action.
    static func what(_ action: String) -> String {
        switch action {
        case "deallocate": return "the deallocation"
        case "update parties": return "the change of parties"
        default: return "the \(action)"
        }
    }

    static func noIdYet(_ id: String) -> GreenVNError {
        let cid = String(id.dropFirst("pending:".count))
        return .invalid(ValidationFailure([FieldError(.greenvnId,
            "the allocation for connection_id \(cid) has no greenvn_id yet: either its create is still pending (it is retried automatically), or it was allocated and the answer lost — find its greenvn_id in Exotel's dashboard or a webhook, then run `greenvn import GREENVN_ID`")]))
    }
}
