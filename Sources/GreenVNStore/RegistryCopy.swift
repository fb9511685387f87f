import Foundation
import GreenVNKit

/// What `RegistryCopy.run` did, table by table.
public struct CopyReport: Equatable, Sendable {
    /// Rows written (new, or newer than the destination's copy).
    public var allocations = 0
    /// The destination already held them as they are (or newer): a rerun copies nothing twice.
    public var allocationsKept = 0
    /// Their connection_id belongs to another allocation in the destination: theirs is kept.
    public var conflicts: [(connectionId: String, greenvnId: String)] = []
    public var history = 0
    public var audit = 0
    public var calls = 0
    /// Creates whose outcome is unknown, handed to the destination's outbox (its reconcile sends them).
    public var outbox = 0

    public init() {}

    public static func == (a: CopyReport, b: CopyReport) -> Bool {
        a.allocations == b.allocations && a.allocationsKept == b.allocationsKept && a.history == b.history
            && a.audit == b.audit && a.calls == b.calls && a.outbox == b.outbox
            && a.conflicts.map(\.connectionId) == b.conflicts.map(\.connectionId)
    }
}

/// Moves one registry's memory into another (a laptop's SQLite file into the team's database):
/// allocations, VN history, the audit log, calls and unsettled creates. Rerunnable: what the
/// destination already has is not written again, and a row the destination holds newer (a
/// colleague swapped it since) is not rolled back.
public enum RegistryCopy {
    static let chunk = 1_000

    public static func run(from source: Registry, to destination: Registry,
                           progress: @escaping @Sendable (String, Int) -> Void = { _, _ in }) async throws -> CopyReport {
        var report = CopyReport()
        try await each("allocation", source) { rows in
            let (written, kept, conflicts) = try await destination.write { tx in try tx.merge(allocations: rows) }
            report.allocations += written
            report.allocationsKept += kept
            report.conflicts += conflicts
            progress("allocations", report.allocations + report.allocationsKept + report.conflicts.count)
        }
        try await each("vn_history", source) { rows in
            report.history += try await destination.write { tx in try tx.merge(rows, into: "vn_history", key: ["greenvn_id", "at", "new_vn", "how"]) }
            progress("VN history", report.history)
        }
        try await each("audit", source) { rows in
            report.audit += try await destination.write { tx in
                try tx.merge(rows, into: "audit", key: ["at", "operator", "host", "action", "target", "outcome"])
            }
            progress("audit", report.audit)
        }
        try await each("call_event", source) { rows in
            report.calls += try await destination.write { tx in try tx.merge(rows, into: "call_event", key: ["call_sid"]) }
            progress("calls", report.calls)
        }
        try await each("outbox", source, order: "connection_id") { rows in
            report.outbox += try await destination.write(durable: true) { tx in
                try tx.merge(rows.map(Self.unleased), into: "outbox", key: ["connection_id"])
            }
            progress("outbox", report.outbox)
        }
        return report
    }

    /// Reads `table` a chunk at a time, in `order` (a unique column).
    private static func each(_ table: String, _ source: Registry, order: String = "id",
                             _ body: ([SQLRow]) async throws -> Void) async throws {
        var after: SQLValue = order == "id" ? .int(0) : .text("")
        while true {
            let from = after
            let rows = try await source.read { tx in
                try tx.db.query("SELECT * FROM \(table) WHERE \(order) > ? ORDER BY \(order) LIMIT ?", [from, chunk.sqlValue])
            }
            guard let last = rows.last else { return }
            try await body(rows)
            after = last[order]
            if rows.count < chunk { return }
        }
    }

    /// An outbox entry arrives with nobody sending it: the destination's next reconcile does.
    private static func unleased(_ row: SQLRow) -> SQLRow {
        var values = row.values
        for name in ["owner_token", "owner_operator", "owner_host"] { if let i = row.columns[name] { values[i] = .null } }
        return SQLRow(columns: row.columns, values: values)
    }
}

extension RegistryTransaction {
    /// Allocation rows: new ones inserted, newer ones (by updated_at) replace the destination's;
    /// a connection_id the destination gives another allocation is left to it.
    func merge(allocations rows: [SQLRow]) throws -> (written: Int, kept: Int, conflicts: [(connectionId: String, greenvnId: String)]) {
        var written = 0, kept = 0
        var conflicts: [(String, String)] = []
        for row in rows {
            let s = StoredAllocation(row)
            try db.lock([s.id, s.connectionId])
            if let held = try allocation(connectionId: s.connectionId), held.id != s.id {
                // A placeholder here that the destination has settled (or the other way round)
                // is the same create: the known row wins; two known rows are a real conflict.
                if held.status == .known || s.status != .known {
                    if held.status == .known && s.status == .known { conflicts.append((s.connectionId, s.id)) } else { kept += 1 }
                    continue
                }
                try db.execute("DELETE FROM allocation WHERE greenvn_id = ?", [held.id.sqlValue])
            }
            if let mine = try allocation(id: s.id), mine.updatedAt >= s.updatedAt {
                kept += 1
                continue
            }
            try s.save(db)
            written += 1
        }
        return (written, kept, conflicts)
    }

    /// Rows of a log table, each inserted unless one with the same `key` values is there.
    /// Returns how many were inserted.
    func merge(_ rows: [SQLRow], into table: String, key: [String]) throws -> Int {
        guard let first = rows.first else { return 0 }
        let columns = first.columns.sorted { $0.value < $1.value }.map(\.key).filter { $0 != "id" }
        let match = key.map { "\($0) IS NOT DISTINCT FROM ?" }.joined(separator: " AND ")
        let sql = """
            INSERT INTO \(table) (\(columns.joined(separator: ", ")))
            SELECT \(columns.map { _ in "?" }.joined(separator: ", "))
            WHERE NOT EXISTS (SELECT 1 FROM \(table) WHERE \(match))
            """
        var inserted = 0
        for row in rows {
            inserted += try db.execute(sql, columns.map { row[$0] } + key.map { row[$0] })
        }
        return inserted
    }
}
