import Foundation
import GreenVNKit

/// One transaction on a registry, whichever the backend: the recipes that record what the API
/// answered (allocation rows, VN history, audit, outbox, calls) are written once, here and in
/// the files beside it, against `SQLSession`. Its reads are public: async code (a CLI verb)
/// reads through `Registry.read` rather than block one of Swift's cooperative threads.
public struct RegistryTransaction {
    package let db: SQLSession

    public init(_ session: SQLSession) { db = session }

    public func allocation(id: String) throws -> StoredAllocation? {
        try db.row("SELECT * FROM allocation WHERE greenvn_id = ?", [id.sqlValue]).map(StoredAllocation.init)
    }

    public func allocation(connectionId: String) throws -> StoredAllocation? {
        guard !connectionId.isEmpty else { return nil }
        return try db.row("SELECT * FROM allocation WHERE connection_id = ?", [connectionId.sqlValue]).map(StoredAllocation.init)
    }

    /// Every allocation that holds or held `vn` as its current VN, newest first.
    public func allocations(vn: String) throws -> [StoredAllocation] {
        guard !vn.isEmpty else { return [] }
        return try db.query("SELECT * FROM allocation WHERE green_vn = ? ORDER BY created_at DESC, id DESC LIMIT 50",
                            [vn.sqlValue]).map(StoredAllocation.init)
    }
}

/// The registry could not be read or written (a SQLite file, a PostgreSQL server). The message
/// says what happened and what to do next; nothing the operator allocated is lost by it.
public struct RegistryError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    /// A connection to a server that dropped or could not be made (worth trying again later).
    public var unreachable: Bool

    public init(_ message: String, unreachable: Bool = false) {
        self.message = message
        self.unreachable = unreachable
    }

    public var description: String { message }
}
