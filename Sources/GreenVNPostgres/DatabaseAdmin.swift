import Foundation
import Logging

/// Making and removing a team registry's database (`greenvn registry init`; the tests' own
/// databases), through the server's `postgres` maintenance database.
extension PostgresRegistry {
    /// Creates the database `location` names unless it exists. True when it was created.
    public static func createDatabaseIfMissing(_ location: PostgresLocation, logger: Logger = Logger(label: "greenvn.registry")) throws -> Bool {
        let config = try PGConfig(location: location, options: Options(), logger: logger)
        do {
            try PGConnection.connect(config, purpose: "setup").close()
            return false
        } catch where PGFailure.sqlState(error) == "3D000" {
        } catch {
            throw PGFailure.opening(error, location)
        }
        do {
            try createDatabase(location, template: nil, logger: logger)
            return true
        } catch let e as PostgresRegistryError where e.kind == .server && e.message.contains("42P04") {
            return false        // made by someone else meanwhile
        }
    }

    /// Creates `location`'s database, empty or as a copy of the database `template`.
    public static func createDatabase(_ location: PostgresLocation, template: String?, logger: Logger = Logger(label: "greenvn.registry")) throws {
        try onServer(location, logger) { c in
            do {
                try c.exec("CREATE DATABASE \(quoted(location.database))" + (template.map { " TEMPLATE \(quoted($0))" } ?? ""))
            } catch where PGFailure.sqlState(error) == "42501" {
                throw PostgresRegistryError(.permission, """
                    \(location.user) may not create databases on \(location.host):\(location.port). Ask the server's \
                    administrator to run: createdb -O \(location.user) \(location.database) — then run this again.
                    """)
            }
        }
    }

    /// Drops `location`'s database, ending every connection to it (tests, tools).
    public static func dropDatabase(_ location: PostgresLocation, logger: Logger = Logger(label: "greenvn.registry")) throws {
        try onServer(location, logger) { c in try c.exec("DROP DATABASE IF EXISTS \(quoted(location.database)) WITH (FORCE)") }
    }

    private static func onServer(_ location: PostgresLocation, _ logger: Logger, _ body: (PGConnection) throws -> Void) throws {
        let admin = location.with(database: "postgres")
        let c: PGConnection
        do {
            c = try PGConnection.connect(try PGConfig(location: admin, options: Options(), logger: logger), purpose: "setup")
        } catch {
            throw PGFailure.opening(error, admin)
        }
        defer { c.close() }
        do {
            try body(c)
        } catch let e as PostgresRegistryError {
            throw e
        } catch {
            throw PostgresRegistryError(.server, "PostgreSQL at \(admin) refused: \(PGFailure.describe(error)).")
        }
    }

    private static func quoted(_ name: String) -> String { "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
}
