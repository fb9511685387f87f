import Foundation
import GreenVNStore

/// The recipes' view of one PostgreSQL transaction (see `Transactions`).
final class PGSession: SQLSession {
    let connection: PGConnection
    let owner: LeaseOwner
    /// Whether a statement changed a row: only such a transaction notifies the others.
    private(set) var wrote = false

    init(_ connection: PGConnection, owner: LeaseOwner) {
        self.connection = connection
        self.owner = owner
    }

    var dialect: SQLDialect { .postgres }

    @discardableResult
    func execute(_ sql: String, _ arguments: [SQLValue]) throws -> Int {
        let n = try connection.run(Placeholders.numbered(sql), arguments).changed
        if n > 0 { wrote = true }
        return n
    }

    func query(_ sql: String, _ arguments: [SQLValue]) throws -> [SQLRow] {
        try connection.run(Placeholders.numbered(sql), arguments).sqlRows
    }

    /// Transaction-scoped advisory locks, taken in the order of their lock ids so two
    /// transactions never wait for each other in a circle.
    func lock(_ keys: [String]) throws {
        let ids = Set(keys.filter { !$0.isEmpty }.map(LockSpace.id(of:))).sorted()
        guard !ids.isEmpty else { return }
        let calls = ids.indices.map { "pg_advisory_xact_lock(\(LockSpace.keys), $\($0 + 1)::int)" }.joined(separator: ", ")
        try connection.exec("SELECT " + calls, ids.map { .int(Int64($0)) })
    }

    func isAlive(_ owner: LeaseOwner) throws -> Bool {
        try Presence.isHeld(owner.token, on: connection)
    }
}

/// The registry's advisory locks. Keys and housekeeping use the two-integer form under fixed
/// first halves; a process's presence uses the one-bigint form (its random token), so the
/// spaces never meet.
enum LockSpace {
    /// Connection ids and greenvn ids being changed (transaction locks).
    static let keys: Int32 = 0x6776_4B59       // "gvKY"
    /// Migrations (second half 0) and folding the tallies (1).
    static let schema: Int32 = 0x6776_5343     // "gvSC"

    /// FNV-1a of the key: the same id in every process and on every machine.
    static func id(of key: String) -> Int32 {
        var h: UInt32 = 0x811C_9DC5
        for b in key.utf8 { h = (h ^ UInt32(b)) &* 0x0100_0193 }
        return Int32(bitPattern: h)
    }
}
