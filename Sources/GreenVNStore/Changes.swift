import Foundation
import GRDB
import GreenVNKit

/// The calls on an existing allocation. Each: API call → one transaction recording the answer
/// (VN history when the VN changed) and the audit entry. On an API error the registry learns what
/// the error tells (code 22: it is in the vault; code 1: kept, audited) and the error is rethrown.
extension Operations {
    public func swap(_ id: String, _ r: SwapRequest) async throws -> StoredAllocation {
        let how = r.preferences.isEmpty ? "swap" : "swap (preferences)"
        return try await change(id, action: how) { stored in
            try await self.api.swap(id, r, knownVN: stored?.allocation.greenVN)
        }
    }

    /// GET it and remember it; history only if the VN changed; last_synced_at = now.
    public func refresh(_ id: String) async throws -> StoredAllocation {
        try await change(id, action: "refresh") { _ in try await self.api.details(id) }
    }

    public func updateParties(_ id: String, _ u: PartyUpdate) async throws -> StoredAllocation {
        try await change(id, action: "update parties") { _ in try await self.api.updateParties(id, u) }
    }

    public func deallocate(_ id: String) async throws -> StoredAllocation {
        try await change(id, action: "deallocate") { _ in try await self.api.deallocate(id) }
    }

    /// GET an allocation (made elsewhere, or ours whose answer was lost) and remember it. An
    /// id_unknown or pending row with the same connection_id is replaced by it, and a create
    /// still in the outbox for that connection_id is settled.
    public func importAllocation(_ id: String) async throws -> StoredAllocation {
        try await change(id, action: "import", settlesOutbox: true) { _ in try await self.api.details(id) }
    }

    private func change(_ id: String, action: String, settlesOutbox: Bool = false,
                        _ call: @escaping @Sendable (StoredAllocation?) async throws -> Allocation) async throws -> StoredAllocation {
        if id.hasPrefix("pending:") { throw Self.noIdYet(id) }
        let stored: StoredAllocation?
        do {
            stored = try await registry.readAsync { try AllocationRows.fetch($0, id: id) }
        } catch {
            throw GreenVNError.configuration("cannot read the registry: \(Registry.describe(error))")
        }
        let answer: Allocation
        do {
            answer = try await call(stored)
        } catch {
            let at = now()
            let outcome = AuditLog.outcome(of: error)
            try? await registry.writeAsync { db in
                if case .refused(let r)? = error as? GreenVNError, r.code == 22, stored != nil {
                    try AllocationRows.markVault(db, id: id, now: at)
                }
                try AuditLog.append(db, action: action, target: id, connectionId: stored?.connectionId, outcome: outcome, now: at)
            }
            throw error
        }
        let a = answer
        let at = now()
        do {
            return try await registry.writeAsync { [a] db in
                let s = try AllocationRows.remember(db, a, how: action, request: nil, now: at)
                if settlesOutbox, !s.connectionId.isEmpty { try Outbox.delete(db, connectionId: s.connectionId) }
                try AuditLog.append(db, action: action, target: id, connectionId: s.connectionId.isEmpty ? nil : s.connectionId,
                                    outcome: AuditLog.ok, now: at)
                return s
            }
        } catch {
            throw GreenVNError.configuration("""
                Lead Assist answered (\(action) of \(id): VN \(a.greenVN), \(a.state.rawValue)) but the registry \
                could not record it: \(Registry.describe(error)). Run `greenvn import \(id)` once it is writable.
                """)
        }
    }

    static func noIdYet(_ id: String) -> GreenVNError {
        let cid = String(id.dropFirst("pending:".count))
        return .invalid(ValidationFailure([FieldError(.greenvnId,
            "the allocation for connection_id \(cid) has no greenvn_id yet: either its create is still pending (it is retried automatically), or it was allocated and the answer lost — find its greenvn_id in Exotel's dashboard or a webhook, then run `greenvn import GREENVN_ID`")]))
    }
}
