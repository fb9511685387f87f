import Foundation
import GRDB
import GreenVNKit

/// The recipes' view of a GRDB connection inside a transaction.
struct GRDBSession: SQLSession {
    let db: Database

    init(_ db: Database) { self.db = db }

    var dialect: SQLDialect { .sqlite }

    @discardableResult
    func execute(_ sql: String, _ arguments: [SQLValue]) throws -> Int {
        try db.cachedStatement(sql: sql).execute(arguments: Self.statementArguments(arguments))
        return db.changesCount
    }

    func query(_ sql: String, _ arguments: [SQLValue]) throws -> [SQLRow] {
        let cursor = try Row.fetchCursor(db.cachedStatement(sql: sql), arguments: Self.statementArguments(arguments))
        var rows: [SQLRow] = []
        var columns: [String: Int]?
        while let row = try cursor.next() {
            if columns == nil {
                var at: [String: Int] = [:]
                for (i, name) in row.columnNames.enumerated() where at[name] == nil { at[name] = i }
                columns = at
            }
            rows.append(SQLRow(columns: columns!, values: row.databaseValues.map(SQLValue.init)))
        }
        return rows
    }

    /// Through GRDB's existential initializer: its generic one maps with a key path that is
    /// instantiated at run time on every call (5 % of a bulk import's CPU).
    static func statementArguments(_ values: [SQLValue]) -> StatementArguments {
        StatementArguments(values.map { $0.databaseValue as (any DatabaseValueConvertible)? })
    }

    /// One writer at a time: every write transaction is already serialised.
    func lock(_ keys: [String]) throws {}

    var owner: LeaseOwner { GRDBSession.processOwner }

    /// This process, by its pid: a registry file is shared by the processes of one machine.
    static let processOwner = LeaseOwner(operatorName: Identity.operatorName, host: Identity.host, token: Int64(getpid()))

    func isAlive(_ owner: LeaseOwner) throws -> Bool {
        guard owner.host == Identity.host, let pid = Int32(exactly: owner.token), pid > 0 else {
            return true   // another machine's process (a registry on a shared disk): only its lease's age tells
        }
        return kill(pid, 0) == 0 || errno == EPERM
    }
}

extension SQLValue {
    init(_ v: DatabaseValue) {
        switch v.storage {
        case .null: self = .null
        case .int64(let i): self = .int(i)
        case .double(let d): self = .double(d)
        case .string(let s): self = .text(s)
        case .blob(let b): self = .text(String(decoding: b, as: UTF8.self))
        }
    }

    var databaseValue: DatabaseValue {
        switch self {
        case .null: return .null
        case .int(let i): return i.databaseValue
        case .double(let d): return d.databaseValue
        case .text(let s): return s.databaseValue
        }
    }
}

/// GRDB's rows read by position for the page decoder (the list's hot path).
extension Row: ColumnReader {
    func text(at i: Int) -> String? { i >= 0 ? self[i] : nil }
    func int(at i: Int) -> Int64? { i >= 0 ? self[i] : nil }
}
