import Foundation
import GreenVNKit

public struct ReconcileReport: Sendable {
    /// Re-sent and allocated (or found recorded by another process meanwhile).
    public var confirmed: [StoredAllocation] = []
    /// Allocated by an earlier attempt whose answer was lost: now id_unknown rows.
    public var idUnknown: [String /* connection_id */] = []
    /// Still no outcome (no answer again, or being sent by another process right now).
    public var stillPending: Int = 0
    /// Lead Assist refused them: nothing was allocated; their entries are gone.
    public var refused: [(connectionId: String, error: GreenVNError)] = []
    /// The registry could not be read or written (nothing was lost: the entries stay).
    public var failure: String?

    public init() {}

    public var isEmpty: Bool { confirmed.isEmpty && idUnknown.isEmpty && stillPending == 0 && refused.isEmpty && failure == nil }
}

extension Operations {
    /// Re-sends creates whose outcome is unknown, with the same connection_id (a retry: a code 18
    /// means the earlier attempt landed → id_unknown). Skips entries another task or live process
    /// is sending. Call it at the start of every command and of the TUI.
    public func reconcile() async -> ReconcileReport {
        await reconcile(concurrency: 8)
    }

    public func reconcile(concurrency: Int) async -> ReconcileReport {
        var report = ReconcileReport()
        let entries: [OutboxEntry]
        do {
            entries = try await registry.read { try $0.outbox() }
        } catch {
            report.failure = "cannot read the registry's outbox: \(AuditLog.outcome(of: error))"
            return report
        }
        if entries.isEmpty { return report }
        await withTaskGroup(of: (String, ResendResult).self) { group in
            var next = 0
            func add() {
                let e = entries[next]
                next += 1
                group.addTask { (e.connectionId, await self.resend(e)) }
            }
            while next < entries.count && next < max(1, concurrency) { add() }
            while let (cid, result) = await group.next() {
                switch result {
                case .confirmed(let s): report.confirmed.append(s)
                case .idUnknown: report.idUnknown.append(cid)
                case .pending: report.stillPending += 1
                case .refused(let e): report.refused.append((cid, e))
                case .failed(let why):
                    report.stillPending += 1
                    report.failure = why
                }
                if next < entries.count { add() }
            }
        }
        return report
    }

    enum ResendResult: Sendable { case confirmed(StoredAllocation), idUnknown, pending, refused(GreenVNError), failed(String) }

    private func resend(_ e: OutboxEntry) async -> ResendResult {
        let cid = e.connectionId
        guard InFlight.insert(cid) else { return .pending }
        defer { InFlight.remove(cid) }
        let at = now()
        guard let r = e.request else {
            try? await registry.write { tx in
                try tx.releaseOutbox(connectionId: cid, error: "the stored request no longer validates; not re-sent")
            }
            return .failed("the outbox entry for \(cid) cannot be restored; it is kept, not re-sent")
        }
        do {
            // Checked and leased in one transaction: the holder's liveness may need the database.
            let leased = try await registry.write(durable: true) { tx in
                try tx.db.lock([cid])
                return try tx.isClaimable(e, now: at) && tx.claim(e, now: at)
            }
            guard leased else { return .pending }
        } catch {
            return .failed("cannot lease the outbox entry for \(cid): \(AuditLog.outcome(of: error))")
        }
        switch await attempt(r, isRetry: true) {
        case .allocated(let s): return .confirmed(s)
        case .idUnknown: return .idUnknown
        case .refused(let e): return .refused(e)
        case .unknown: return .pending
        case .unrecorded(let e): return .failed(e.description)
        }
    }
}
