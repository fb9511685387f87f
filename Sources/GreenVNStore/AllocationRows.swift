import Foundation
import GRDB
import GreenVNKit

/// The row-level writes shared by `Registry` (synchronous) and `Operations` (inside the one
/// transaction that records an outcome). Each takes the open transaction's `Database`.
enum AllocationRows {
    static func fetch(_ db: Database, id: String) throws -> StoredAllocation? {
        try db.row("SELECT * FROM allocation WHERE greenvn_id = ?", [id]).map(StoredAllocation.init(row:))
    }

    static func fetch(_ db: Database, connectionId: String) throws -> StoredAllocation? {
        guard !connectionId.isEmpty else { return nil }
        return try db.row("SELECT * FROM allocation WHERE connection_id = ?", [connectionId])
            .map(StoredAllocation.init(row:))
    }

    /// Records what the API answered: upsert by greenvn_id, VN history when the VN is new or
    /// changed. A placeholder row for the same connection_id (pending, id unknown) is replaced and
    /// lends its request data (preferences, duration, created_at, expires_at). What we asked for
    /// at create is kept across swaps and refreshes.
    /// `sentAt`: when the create that produced `answer` was sent (its creation time; else `now`).
    @discardableResult
    static func remember(_ db: Database, _ answer: Allocation, how: String, request: AllocationRequest?, now: Date,
                         sentAt: Date? = nil) throws -> StoredAllocation {
        let at = Millis.round(now)
        var a = answer
        if var s = try fetch(db, id: a.greenvnId) {
            if a.connectionId.isEmpty { a.connectionId = s.allocation.connectionId }
            if a.flowId == nil { a.flowId = s.allocation.flowId }
            let oldVN = s.allocation.greenVN
            if !a.connectionId.isEmpty, a.connectionId != s.allocation.connectionId {
                try supersede(db, connectionId: a.connectionId, by: a.greenvnId, now: at)
            }
            s.allocation = a
            s.updatedAt = at
            s.lastSyncedAt = at
            s.status = .known
            if let r = request, s.expiresAt == nil { adopt(r, into: &s) }
            try s.save(db)
            if oldVN != a.greenVN { try VNHistory.append(db, id: a.greenvnId, old: oldVN, new: a.greenVN, how: how, now: at) }
            return s
        }
        var s = StoredAllocation(allocation: a, createdAt: sentAt.map(Millis.round) ?? at, updatedAt: at, lastSyncedAt: at)
        if let other = try fetch(db, connectionId: a.connectionId) {
            if other.status == .known {
                try supersede(db, connectionId: a.connectionId, by: a.greenvnId, now: at)
            } else {
                s.preferences = other.preferences
                s.strictness = other.strictness
                s.durationText = other.durationText
                if sentAt == nil {
                    // allocated at an unknown earlier attempt: the placeholder's time is the earliest
                    s.createdAt = other.createdAt
                    s.expiresAt = other.expiresAt
                }
                try db.run("DELETE FROM allocation WHERE greenvn_id = ?", [other.id])
            }
        }
        if let r = request { adopt(r, into: &s) }
        try s.save(db)
        try VNHistory.append(db, id: a.greenvnId, old: nil, new: a.greenVN, how: how, now: at)
        return s
    }

    private static func adopt(_ r: AllocationRequest, into s: inout StoredAllocation) {
        s.preferences = r.preferences
        s.strictness = r.strictness ?? false
        s.durationText = r.duration?.text
        s.expiresAt = StoredAllocation.expiry(of: r, createdAt: s.createdAt)
    }

    /// Lead Assist says connection_id belongs to another greenvn_id than the row we hold: the
    /// newer answer wins the row; the old id stays findable in the audit log and VN history.
    private static func supersede(_ db: Database, connectionId: String, by newId: String, now: Date) throws {
        guard let old = try fetch(db, connectionId: connectionId), old.id != newId else { return }
        try db.run("DELETE FROM allocation WHERE greenvn_id = ?", [old.id])
        if old.status == .known {
            try AuditLog.append(db, action: "superseded", target: old.id, connectionId: connectionId,
                                outcome: "Lead Assist now answers greenvn_id \(newId) for connection_id \(connectionId); this row (VN \(old.allocation.greenVN)) was replaced",
                                now: now)
        }
    }

    /// A `.pending` row for a create about to be sent, unless the connection_id already has a row.
    static func addPendingIfAbsent(_ db: Database, _ r: AllocationRequest, now: Date) throws {
        guard try fetch(db, connectionId: r.connectionId) == nil else { return }
        try StoredAllocation.placeholder(for: r, status: .pending, now: now).save(db)
    }

    /// The create landed but its answer was lost. Returns the known row if another attempt (or an
    /// import) already recorded it, else the `.idUnknown` row.
    static func settleIdUnknown(_ db: Database, _ r: AllocationRequest, now: Date) throws -> StoredAllocation {
        if let s = try fetch(db, connectionId: r.connectionId) {
            if s.status == .known { return s }
            try db.run("UPDATE allocation SET status = 'id_unknown', updated_at = ? WHERE greenvn_id = ?",
                           [Millis.from(now), s.id])
            return try fetch(db, id: s.id)!
        }
        let s = StoredAllocation.placeholder(for: r, status: .idUnknown, now: now)
        try s.save(db)
        return s
    }

    /// The create was refused: its pending row goes (a known or id_unknown row stays).
    static func dropPending(_ db: Database, connectionId: String) throws {
        try db.run("DELETE FROM allocation WHERE connection_id = ? AND status = 'pending'", [connectionId])
    }

    /// Lead Assist says it is already deleted (code 22).
    static func markVault(_ db: Database, id: String, now: Date) throws {
        try db.run("UPDATE allocation SET state = 'vault', updated_at = ?, last_synced_at = ? WHERE greenvn_id = ?",
                       [Millis.from(now), Millis.from(now), id])
    }
}
