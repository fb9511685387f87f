import Foundation
import GreenVNKit
import GreenVNStore

/// Which Lead Assist account a team registry belongs to: the base URL's host and the account
/// SID. A database is bound to the first it is opened for; opening it for another is refused,
/// so two tenants' allocations never mix.
public struct RegistryTarget: Equatable, Sendable, CustomStringConvertible {
    public var key: String

    public init(host: String, accountSID: String) {
        key = "Lead Assist at \(host.lowercased()), account \(accountSID)"
    }

    /// The target of a resolved configuration; nil (no credentials): the embedded simulator.
    public init(_ settings: ConnectionSettings?) {
        if let s = settings { self.init(host: s.host, accountSID: s.accountSID) } else { self.init(key: "the embedded simulator") }
    }

    public init(key: String) { self.key = key }

    public var description: String { key }
}

/// Creates and upgrades the schema: once, under an advisory lock, however many processes open
/// a new database at the same moment (the others wait, then find it done).
enum Migrations {
    static func version(_ c: PGConnection) throws -> Int {
        guard try c.run("SELECT to_regclass('schema_version') IS NOT NULL", []).int() == 1 else { return 0 }
        return Int(try c.run("SELECT coalesce(max(version), 0)::bigint FROM schema_version", []).int() ?? 0)
    }

    static func run(_ c: PGConnection, _ location: PostgresLocation) throws {
        let found = try version(c)
        if found == PostgresSchema.latest { return }
        if found > PostgresSchema.latest { throw newer(found, location) }
        // Opening waits here while another process migrates (it may take a while on a big table).
        try c.exec("SET statement_timeout = 0")
        try c.exec("SET lock_timeout = 0")
        try c.exec("SELECT pg_advisory_lock(\(LockSpace.schema), 0)", [], timeout: 600)
        defer {
            _ = try? c.exec("SELECT pg_advisory_unlock(\(LockSpace.schema), 0)")
            _ = try? c.exec("RESET statement_timeout")
            _ = try? c.exec("RESET lock_timeout")
        }
        let current = try version(c)
        if current > PostgresSchema.latest { throw newer(current, location) }
        if current == PostgresSchema.latest { return }
        try enableTrigrams(c, location)
        try c.exec("""
            CREATE TABLE IF NOT EXISTS schema_version (version int PRIMARY KEY, applied_at bigint NOT NULL,
              by_operator text NOT NULL, by_host text NOT NULL)
            """)
        for v in (current + 1)...PostgresSchema.latest {
            try c.exec("BEGIN")
            do {
                for statement in PostgresSchema.migrations[v] ?? [] { try c.exec(statement, [], timeout: 600) }
                try c.exec("INSERT INTO schema_version (version, applied_at, by_operator, by_host) VALUES ($1, $2, $3, $4)",
                           [.int(Int64(v)), .int(Int64(Date().timeIntervalSince1970 * 1000)), .text(Identity.operatorName), .text(Identity.host)])
                try c.exec("COMMIT")
            } catch {
                if c.isUsable { _ = try? c.exec("ROLLBACK") }
                if PGFailure.sqlState(error) == "42501" {
                    throw PostgresRegistryError(.permission, """
                        \(location.user) may not create the registry's tables in \(location.database) \
                        (\(PGFailure.describe(error))). Run `greenvn registry init` as the database's owner, or grant \
                        CREATE on the database's public schema to \(location.user).
                        """)
                }
                throw error
            }
        }
    }

    private static func enableTrigrams(_ c: PGConnection, _ location: PostgresLocation) throws {
        do {
            try c.exec("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        } catch {
            switch PGFailure.sqlState(error) {
            case "58P01", "0A000":
                throw PostgresRegistryError(.extensionMissing, """
                    the PostgreSQL server at \(location.host):\(location.port) does not have the pg_trgm extension, which \
                    the registry's filter needs. Install the server's contrib extensions (Debian: apt-get install postgresql; \
                    others: the postgresql-contrib package), then open the registry again.
                    """)
            case "42501":
                throw PostgresRegistryError(.extensionMissing, """
                    \(location.user) may not enable the pg_trgm extension in \(location.database). Ask the database's owner \
                    or a superuser to run: psql -d \(location.database) -c 'CREATE EXTENSION pg_trgm', then open the registry again.
                    """)
            default:
                throw error
            }
        }
    }

    private static func newer(_ v: Int, _ location: PostgresLocation) -> PostgresRegistryError {
        .init(.server, "the team registry \(location) has schema version \(v), newer than this greenvn knows (\(PostgresSchema.latest)): upgrade greenvn.")
    }

    /// Binds the database to `target` the first time; refuses another target afterwards.
    static func bind(_ c: PGConnection, to target: RegistryTarget, _ location: PostgresLocation) throws {
        try c.exec("INSERT INTO meta (key, value) VALUES ('target', $1) ON CONFLICT (key) DO NOTHING", [.text(target.key)])
        let bound = try c.run("SELECT value FROM meta WHERE key = 'target'", []).first?.first?.text ?? target.key
        guard bound == target.key else {
            throw PostgresRegistryError(.otherTarget, """
                the team registry \(location) belongs to \(bound), and this greenvn is set up for \(target.key): \
                their allocations must not mix. Point --registry (or GREENVN_REGISTRY_URL) at the team registry of \
                \(target.key), or make one for it with `greenvn registry init URL`.
                """)
        }
    }
}
