import Foundation
import GreenVNKit
import Testing
@testable import GreenVNStore

/// The registry backends every registry test runs against.
enum Backend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite

    static var all: [Backend] { allCases }
    var testDescription: String { rawValue }
}

/// A fresh, empty registry for one test. `another()` opens a second handle on the same
/// database: what another process (another operator, for a team registry) sees.
final class TestDB: @unchecked Sendable {
    let backend: Backend
    let dir = TempDir()
    let registry: Registry
    private var others: [Registry] = []

    init(_ backend: Backend) throws {
        self.backend = backend
        switch backend {
        case .sqlite: registry = try SQLiteRegistry(path: dir.registryPath)
        }
    }

    func another() throws -> Registry {
        let r: Registry
        switch backend {
        case .sqlite: r = try SQLiteRegistry(path: dir.registryPath)
        }
        others.append(r)
        return r
    }

    /// How far `followIndex` reads above a row under a common filter before it gives up.
    var followDepth: Int {
        switch backend {
        case .sqlite: return ListSQL.followDepth
        }
    }

    /// A lease holder that is alive but is not this process (a colleague's greenvn sending now).
    func liveOtherOwner() throws -> LeaseOwner {
        switch backend {
        case .sqlite: return LeaseOwner(operatorName: "ravi", host: Identity.host, token: Int64(getppid()))
        }
    }

    /// A lease holder that died mid-send (kill -9).
    func deadOwner() -> LeaseOwner {
        switch backend {
        case .sqlite: return LeaseOwner(operatorName: "ravi", host: Identity.host, token: Int64(Int32.max - 1))
        }
    }
}

extension RegistryTransaction {
    /// Hands an outbox entry's lease to `owner` (nil: nobody is sending it).
    func lease(_ connectionId: String, to owner: LeaseOwner?) throws {
        try db.execute("UPDATE outbox SET owner_token = ?, owner_operator = ?, owner_host = ? WHERE connection_id = ?",
                       [owner.map(\.token).sqlValue, owner?.operatorName.sqlValue ?? .null, owner?.host.sqlValue ?? .null,
                        connectionId.sqlValue])
    }
}
