import Foundation

/// A value bound to, or read from, a registry statement. Both backends store the same four
/// kinds: times are integer milliseconds, lists are JSON text, booleans are 0/1.
public enum SQLValue: Equatable, Sendable {
    case null
    case int(Int64)
    case double(Double)
    case text(String)

    public var int: Int64? {
        switch self {
        case .int(let v): return v
        case .double(let v): return Int64(exactly: v.rounded())
        case .text(let s): return Int64(s)
        case .null: return nil
        }
    }

    public var text: String? {
        switch self {
        case .text(let s): return s
        case .int(let v): return String(v)
        case .double(let v): return String(v)
        case .null: return nil
        }
    }
}

extension SQLValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByNilLiteral {
    public init(stringLiteral value: String) { self = .text(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(nilLiteral: ()) { self = .null }
}

/// Conversions used by the recipes' argument lists.
public protocol SQLBindable { var sqlValue: SQLValue { get } }
extension String: SQLBindable { public var sqlValue: SQLValue { .text(self) } }
extension Int64: SQLBindable { public var sqlValue: SQLValue { .int(self) } }
extension Int: SQLBindable { public var sqlValue: SQLValue { .int(Int64(self)) } }
extension Int32: SQLBindable { public var sqlValue: SQLValue { .int(Int64(self)) } }
extension Bool: SQLBindable { public var sqlValue: SQLValue { .int(self ? 1 : 0) } }
extension Optional: SQLBindable where Wrapped: SQLBindable {
    public var sqlValue: SQLValue { self?.sqlValue ?? .null }
}

/// One row of a result, its values read by column name (the recipes' rows are few; the list's
/// hot path decodes pages natively in each backend).
public struct SQLRow: Sendable {
    public let columns: [String: Int]
    public let values: [SQLValue]

    public init(columns: [String: Int], values: [SQLValue]) {
        self.columns = columns
        self.values = values
    }

    public subscript(_ name: String) -> SQLValue { columns[name].map { values[$0] } ?? .null }
    public func text(_ name: String) -> String? { self[name].text }
    public func int(_ name: String) -> Int64? { self[name].int }
}

/// The SQL spelling the recipes need beyond what SQLite and PostgreSQL share.
public enum SQLDialect: Sendable {
    case sqlite, postgres
}

/// Who holds an outbox lease: the operator and host it names to a colleague who tries the same
/// connection_id, and a token whose holder's liveness the backend can check (SQLite: the pid on
/// this host; PostgreSQL: an advisory lock the process holds for its whole life).
public struct LeaseOwner: Equatable, Sendable {
    public var operatorName: String
    public var host: String
    public var token: Int64

    public init(operatorName: String, host: String, token: Int64) {
        self.operatorName = operatorName
        self.host = host
        self.token = token
    }

    /// "asha on ops-3"
    public var described: String { host.isEmpty ? operatorName : "\(operatorName) on \(host)" }
}

/// One transaction's connection, as the recipes see it. A backend runs each recipe inside its
/// own transaction (SQLite: an IMMEDIATE transaction on the one writer; PostgreSQL: a
/// transaction on a pooled connection, retried from the start on a serialization failure).
/// Placeholders are `?`; a PostgreSQL session numbers them.
public protocol SQLSession {
    var dialect: SQLDialect { get }
    @discardableResult
    func execute(_ sql: String, _ arguments: [SQLValue]) throws -> Int
    func query(_ sql: String, _ arguments: [SQLValue]) throws -> [SQLRow]
    /// Serialises transactions on these keys (connection_ids, greenvn_ids; empty ones ignored)
    /// across processes and operators until this transaction ends, taken in one order so two
    /// transactions never wait for each other. SQLite has one writer at a time: nothing to do.
    func lock(_ keys: [String]) throws
    /// This process, as outbox leases name it.
    var owner: LeaseOwner { get }
    /// Whether the process holding a lease still runs.
    func isAlive(_ owner: LeaseOwner) throws -> Bool
}

extension SQLSession {
    func row(_ sql: String, _ arguments: [SQLValue] = []) throws -> SQLRow? {
        try query(sql, arguments).first
    }
}
