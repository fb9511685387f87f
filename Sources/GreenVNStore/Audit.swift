import Foundation
import GRDB
import GreenVNKit

/// One change of an allocation's VN: "allocate", "swap", "swap (preferences)", "refresh",
/// "import", "update parties", "deallocate".
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
}

/// Who did what to which allocation, and how it went ("ok" or a GreenVNError description,
/// which never holds a secret).
public struct AuditEntry: Equatable, Sendable {
    public var at: Date
    public var user: String
    public var action: String
    /// A greenvn_id, or a connection_id when no greenvn_id is known.
    public var target: String
    public var outcome: String

    public init(at: Date, user: String, action: String, target: String, outcome: String) {
        self.at = at
        self.user = user
        self.action = action
        self.target = target
        self.outcome = outcome
    }
}

/// The operating-system user running this process (getpwuid, else $USER).
enum OSUser {
    static let name: String = {
        if let pw = getpwuid(getuid()), let n = pw.pointee.pw_name {
            let s = String(cString: n)
            if !s.isEmpty { return s }
        }
        if let u = ProcessInfo.processInfo.environment["USER"], !u.isEmpty { return u }
        return "uid \(getuid())"
    }()
}

enum AuditLog {
    static let ok = "ok"

    static func append(_ db: Database, action: String, target: String, connectionId: String? = nil,
                       outcome: String, now: Date) throws {
        try db.run(
            "INSERT INTO audit (at, user, action, target, connection_id, outcome) VALUES (?, ?, ?, ?, ?, ?)",
            [Millis.from(now), OSUser.name, action, target, connectionId, outcome])
    }

    static func outcome(of error: Error) -> String {
        if let e = error as? GreenVNError { return e.description }
        if let e = error as? DatabaseError { return "registry: " + (e.message ?? "SQLite error \(e.resultCode)") }
        return String(describing: error)
    }

    /// Entries about `target` (a greenvn_id or a connection_id; for a known allocation also those
    /// filed under its connection_id), newest first. nil: the whole log.
    static func entries(_ db: Database, for target: String?, limit: Int) throws -> [AuditEntry] {
        let rows: [Row]
        if let target {
            let cid = try String.fetchOne(db, sql: "SELECT connection_id FROM allocation WHERE greenvn_id = ?", arguments: [target])
            rows = try db.rows("""
                SELECT * FROM audit WHERE target = ? OR target = ? OR connection_id = ? OR connection_id = ?
                ORDER BY id DESC LIMIT ?
                """, [target, cid ?? target, target, cid ?? target, max(0, limit)])
        } else {
            rows = try db.rows("SELECT * FROM audit ORDER BY id DESC LIMIT ?", [max(0, limit)])
        }
        return rows.map {
            AuditEntry(at: Millis.date($0["at"] as Int64), user: $0["user"], action: $0["action"],
                       target: $0["target"], outcome: $0["outcome"])
        }
    }
}

enum VNHistory {
    static func append(_ db: Database, id: String, old: String?, new: String, how: String, now: Date) throws {
        try db.run("INSERT INTO vn_history (greenvn_id, old_vn, new_vn, at, how) VALUES (?, ?, ?, ?, ?)",
                       [id, old, new, Millis.from(now), how])
    }

    /// Oldest first.
    static func changes(_ db: Database, of id: String) throws -> [VNChange] {
        try db.rows("SELECT * FROM vn_history WHERE greenvn_id = ? ORDER BY at, id", [id]).map {
            VNChange(greenvnId: $0["greenvn_id"], oldVN: $0["old_vn"], newVN: $0["new_vn"],
                     at: Millis.date($0["at"] as Int64), how: $0["how"])
        }
    }
}
