import Foundation
import GreenVNKit

/// One change of an allocation's VN: "allocate", "swap", "swap (preferences)", "refresh",
/// "import", "update parties" — and its release: "released (deallocate)", "released (expired)",
/// "released" (a refresh found it in the vault), whose `newVN` is "" (the VN went back to the pool).
public struct VNChange: Equatable, Sendable {
    public var greenvnId: String
    public var oldVN: String?
    public var newVN: String
    public var at: Date
    public var how: String

    public init(greenvnId: String, oldVN: String?, newVN: String, at: Date, how: String) {
        self.greenvnId = greenvnId
        self.oldVN = oldVN
        self.newVN = newVN
        self.at = at
        self.how = how
    }

    /// The VN went back to the pool (the allocation moved to the vault).
    public var isRelease: Bool { newVN.isEmpty }
}

/// Who did what to which allocation, from which host, and how it went ("ok" or a GreenVNError
/// description, which never holds a secret).
public struct AuditEntry: Equatable, Sendable {
    public var at: Date
    /// `$GREENVN_OPERATOR`, else the login name of whoever ran greenvn.
    public var operatorName: String
    public var host: String
    public var action: String
    /// A greenvn_id, or a connection_id when no greenvn_id is known.
    public var target: String
    public var outcome: String

    public init(at: Date, operatorName: String, host: String, action: String, target: String, outcome: String) {
        self.at = at
        self.operatorName = operatorName
        self.host = host
        self.action = action
        self.target = target
        self.outcome = outcome
    }

    /// "asha on ops-3"
    public var who: String { host.isEmpty ? operatorName : "\(operatorName) on \(host)" }
}

enum AuditLog {
    static let ok = "ok"

    static func outcome(of error: Error) -> String {
        if let e = error as? GreenVNError { return e.description }
        if let e = error as? RegistryError { return "registry: " + e.message }
        return Text.printable(String(describing: error), limit: 300)
    }

    static func entry(_ row: SQLRow) -> AuditEntry {
        AuditEntry(at: Millis.date(row.int("at") ?? 0), operatorName: row.text("operator") ?? "",
                   host: row.text("host") ?? "", action: row.text("action") ?? "",
                   target: row.text("target") ?? "", outcome: row.text("outcome") ?? "")
    }
}

enum VNHistory {
    static func change(_ row: SQLRow) -> VNChange {
        VNChange(greenvnId: row.text("greenvn_id") ?? "", oldVN: row.text("old_vn"), newVN: row.text("new_vn") ?? "",
                 at: Millis.date(row.int("at") ?? 0), how: row.text("how") ?? "")
    }
}

extension RegistryTransaction {
    /// One entry, by this process's operator (or `by`, for what Lead Assist did) and host.
    func audit(_ action: String, target: String, connectionId: String? = nil, by: String? = nil, outcome: String, now: Date) throws {
        try db.execute(
            "INSERT INTO audit (at, operator, host, action, target, connection_id, outcome) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [Millis.from(now).sqlValue, (by ?? db.owner.operatorName).sqlValue, db.owner.host.sqlValue, action.sqlValue,
             target.sqlValue, connectionId.sqlValue, outcome.sqlValue])
    }

    /// Entries about `target` (a greenvn_id or a connection_id; for a known allocation also those
    /// filed under its connection_id), newest first. nil: the whole log.
    public func auditEntries(for target: String?, limit: Int) throws -> [AuditEntry] {
        let rows: [SQLRow]
        if let target {
            let cid = try db.row("SELECT connection_id FROM allocation WHERE greenvn_id = ?", [target.sqlValue])?.text("connection_id")
            rows = try db.query("""
                SELECT * FROM audit WHERE target = ? OR target = ? OR connection_id = ? OR connection_id = ?
                ORDER BY id DESC LIMIT ?
                """, [target.sqlValue, (cid ?? target).sqlValue, target.sqlValue, (cid ?? target).sqlValue, max(0, limit).sqlValue])
        } else {
            rows = try db.query("SELECT * FROM audit ORDER BY id DESC LIMIT ?", [max(0, limit).sqlValue])
        }
        return rows.map(AuditLog.entry)
    }

    func appendHistory(id: String, old: String?, new: String, how: String, now: Date) throws {
        try db.execute("INSERT INTO vn_history (greenvn_id, old_vn, new_vn, at, how) VALUES (?, ?, ?, ?, ?)",
                       [id.sqlValue, old.sqlValue, new.sqlValue, Millis.from(now).sqlValue, how.sqlValue])
    }

    /// Oldest first.
    public func history(of id: String) throws -> [VNChange] {
        try db.query("SELECT * FROM vn_history WHERE greenvn_id = ? ORDER BY at, id", [id.sqlValue]).map(VNHistory.change)
    }
}
