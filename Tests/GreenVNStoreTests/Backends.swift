import Foundation
import GreenVNKit
import Testing
@testable import GreenVNPostgres
import PostgresTestSupport
@testable import GreenVNStore

/// The registry backends every registry test runs against.
enum Backend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    /// A database of its own on the test server (see PostgresTestServer).
    case postgres

    static var all: [Backend] { allCases }
    var testDescription: String { rawValue }
}

/// A fresh, empty registry for one test. `another()` opens a second handle on the same
/// database: what another process (another operator, for a team registry) sees.
final class TestDB: @unchecked Sendable {
    let backend: Backend
    let dir = TempDir()
    /// The test's own database (PostgreSQL), dropped once this and its registries are gone.
    let location: PostgresLocation?
    private let lifetime = Lifetime()
    let registry: Registry
    private var others: [Registry] = []

    final class Lifetime {}

    init(_ backend: Backend) throws {
        self.backend = backend
        let lifetime = lifetime
        location = backend == .postgres ? try Databases.create(for: lifetime) : nil
        registry = try Self.open(backend, dir, location)
    }

    private static func open(_ backend: Backend, _ dir: TempDir, _ location: PostgresLocation?) throws -> Registry {
        switch backend {
        case .sqlite: return try SQLiteRegistry(path: dir.registryPath)
        case .postgres:
            let r = try PostgresRegistry(location: location!, target: PostgresTestServer.target, logger: PostgresTestServer.logger)
            Databases.track(r, on: location!)
            return r
        }
    }

    private func open() throws -> Registry { try Self.open(backend, dir, location) }

    func another() throws -> Registry {
        let r = try open()
        others.append(r)
        return r
    }

    /// How far `followIndex` reads above a row under a common filter before it gives up.
    var followDepth: Int {
        switch backend {
        case .sqlite: return ListSQL.followDepth
        case .postgres: return PostgresRegistry.followDepth
        }
    }

    /// A lease holder that is alive but is not this process (a colleague's greenvn sending now).
    func liveOtherOwner() throws -> LeaseOwner {
        switch backend {
        case .sqlite: return LeaseOwner(operatorName: "ravi", host: Identity.host, token: Int64(getppid()))
        case .postgres: return (try another() as! PostgresRegistry).owner
        }
    }

    /// A lease holder that died mid-send (kill -9).
    func deadOwner() -> LeaseOwner {
        switch backend {
        case .sqlite: return LeaseOwner(operatorName: "ravi", host: Identity.host, token: Int64(Int32.max - 1))
        case .postgres: return LeaseOwner(operatorName: "ravi", host: "ops-9", token: Int64.random(in: 1...Int64.max))
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
