import Foundation
import GreenVNKit

/// The row-level writes: what `Operations`, reconcile, bulk and the webhook receiver record,
/// each inside the one transaction that records an outcome.
extension RegistryTransaction {
    /// Records what the API answered: upsert by greenvn_id, VN history when the VN is new or
    /// changed. A placeholder row for the same connection_id (pending, id unknown) is replaced and
    /// lends its request data (preferences, duration, created_at, expires_at). What we asked for
    /// at create is kept across swaps and refreshes. An answer in the vault for a row we held as
    /// active is its release: when, by whom (`releasedBy`, else "Lead Assist") and a history line.
    /// `sentAt`: when the create that produced `answer` was sent (its creation time; else `now`).
    @discardableResult
    func remember(_ answer: Allocation, how: String, request: AllocationRequest?, now: Date,
                  sentAt: Date? = nil, releasedBy: String? = nil) throws -> StoredAllocation {
        let at = Millis.round(now)
        var a = answer
        try db.lock([a.greenvnId, a.connectionId])
        if var s = try allocation(id: a.greenvnId) {
            if a.connectionId.isEmpty { a.connectionId = s.allocation.connectionId }
            if a.flowId == nil { a.flowId = s.allocation.flowId }
            let oldVN = s.allocation.greenVN
            let wasVault = s.allocation.state == .vault
            if !a.connectionId.isEmpty, a.connectionId != s.allocation.connectionId {
                try supersede(connectionId: a.connectionId, by: a.greenvnId, now: at)
            }
            s.allocation = a
            s.updatedAt = at
            s.lastSyncedAt = at
            s.status = .known
            if let r = request, s.expiresAt == nil { adopt(r, into: &s) }
            if a.state == .vault, !wasVault { markReleased(&s, by: releasedBy, now: at) }
            try s.save(db)
            if oldVN != a.greenVN { try appendHistory(id: a.greenvnId, old: oldVN, new: a.greenVN, how: how, now: at) }
            if a.state == .vault, !wasVault { try appendRelease(s, how: how, now: at) }
            return s
        }
        var s = StoredAllocation(allocation: a, createdAt: sentAt.map(Millis.round) ?? at, updatedAt: at, lastSyncedAt: at)
        var placeholder: String?
        if let other = try allocation(connectionId: a.connectionId) {
            if other.status == .known {
                try supersede(connectionId: a.connectionId, by: a.greenvnId, now: at)
            } else {
                s.preferences = other.preferences
                s.strictness = other.strictness
                s.durationText = other.durationText
                if sentAt == nil {
                    // allocated at an unknown earlier attempt: the placeholder's time is the earliest
                    s.createdAt = other.createdAt
                    s.expiresAt = other.expiresAt
                }
                placeholder = other.id
            }
        }
        if let r = request { adopt(r, into: &s) }
        if a.state == .vault { markReleased(&s, by: releasedBy, now: at) }
        // The placeholder becomes the row: one UPDATE touches only the indexes whose columns
        // change, where a DELETE and an INSERT rewrote every index and the search index twice.
        if let placeholder { try s.replace(placeholder, in: db) } else { try s.save(db) }
        try appendHistory(id: a.greenvnId, old: nil, new: a.greenVN, how: how, now: at)
        if a.state == .vault { try appendRelease(s, how: how, now: at) }
        return s
    }

    private func adopt(_ r: AllocationRequest, into s: inout StoredAllocation) {
        s.preferences = r.preferences
        s.strictness = r.strictness ?? false
        s.durationText = r.duration?.text
        s.expiresAt = StoredAllocation.expiry(of: r, createdAt: s.createdAt)
    }

    private func markReleased(_ s: inout StoredAllocation, by: String?, now: Date) {
        s.releasedAt = now
        s.releasedBy = by ?? "Lead Assist"
    }

    /// The VN went back to the pool: a history line that says how.
    private func appendRelease(_ s: StoredAllocation, how: String, now: Date) throws {
        let why = how == "deallocate" ? "deallocate" : how == "expired" ? "expired" : "found in the vault"
        try appendHistory(id: s.id, old: s.allocation.greenVN, new: "", how: "released (\(why))", now: now)
    }

    /// Lead Assist says connection_id belongs to another greenvn_id than the row we hold: the
    /// newer answer wins the row; the old id stays findable in the audit log and VN history.
    private func supersede(connectionId: String, by newId: String, now: Date) throws {
        guard let old = try allocation(connectionId: connectionId), old.id != newId else { return }
        try db.execute("DELETE FROM allocation WHERE greenvn_id = ?", [old.id.sqlValue])
        if old.status == .known {
            try audit("superseded", target: old.id, connectionId: connectionId,
                      outcome: "Lead Assist now answers greenvn_id \(newId) for connection_id \(connectionId); this row (VN \(old.allocation.greenVN)) was replaced",
                      now: now)
        }
    }

    /// A `.pending` row for a create about to be sent, unless the connection_id already has a row.
    func addPendingIfAbsent(_ r: AllocationRequest, now: Date) throws {
        guard try allocation(connectionId: r.connectionId) == nil else { return }
        try StoredAllocation.placeholder(for: r, status: .pending, now: now).save(db)
    }

    /// The create landed but its answer was lost. Returns the known row if another attempt (or an
    /// import) already recorded it, else the `.idUnknown` row.
    func settleIdUnknown(_ r: AllocationRequest, now: Date) throws -> StoredAllocation {
        if let s = try allocation(connectionId: r.connectionId) {
            if s.status == .known { return s }
            try db.execute("UPDATE allocation SET status = 'id_unknown', updated_at = ? WHERE greenvn_id = ?",
                           [Millis.from(now).sqlValue, s.id.sqlValue])
            return try allocation(id: s.id)!
        }
        let s = StoredAllocation.placeholder(for: r, status: .idUnknown, now: now)
        try s.save(db)
        return s
    }

    /// The create was refused: its pending row goes (a known or id_unknown row stays).
    func dropPending(connectionId: String) throws {
        try db.execute("DELETE FROM allocation WHERE connection_id = ? AND status = 'pending'", [connectionId.sqlValue])
    }

    /// Lead Assist says it is already deleted (code 22): in the vault, released by someone else.
    func markVault(id: String, now: Date) throws {
        guard var s = try allocation(id: id), s.allocation.state != .vault else { return }
        s.allocation.state = .vault
        s.updatedAt = Millis.round(now)
        s.lastSyncedAt = s.updatedAt
        markReleased(&s, by: "Lead Assist (already deleted)", now: s.updatedAt)
        try s.save(db)
        try appendRelease(s, how: "code 22", now: s.updatedAt)
    }

    /// A webhook named the greenvn_id and VN of a create whose answer we never had: the
    /// placeholder row becomes the allocation (its request data kept), its outbox entry goes.
    /// Nil when the connection_id has no placeholder (unknown, or already known).
    func settle(connectionId: String, greenvnId: String, vn: String, now: Date) throws -> StoredAllocation? {
        try db.lock([connectionId, greenvnId])
        guard let p = try allocation(connectionId: connectionId), p.status != .known else { return nil }
        var a = p.allocation
        a.greenvnId = greenvnId
        a.greenVN = vn
        let s = try remember(a, how: "call event", request: nil, now: now)
        try deleteOutbox(connectionId: connectionId)
        return s
    }
}
