import Foundation
import GreenVNPostgres
import GreenVNStore

/// The registry a benchmark reads: a SQLite file, or a team registry on PostgreSQL when the
/// `--registry` value is a `postgres://` URL (the same URL `greenvn --registry` takes), so the
/// console's benchmarks run unchanged against either backend.
enum BenchRegistry {
    static func isTeam(_ spec: String) -> Bool {
        spec.hasPrefix("postgres://") || spec.hasPrefix("postgresql://")
    }

    /// Opens the registry `spec` names. A team registry is bound to the embedded simulator's
    /// target, as the console is with no credentials.
    static func open(_ spec: String) throws -> Registry {
        guard isTeam(spec) else {
            guard FileManager.default.fileExists(atPath: spec) else { fail("no registry at \(spec): run `greenvn-bench seed` first") }
            return try SQLiteRegistry(path: spec)
        }
        return try PostgresRegistry(location: try PostgresLocation.parse(spec), target: RegistryTarget(nil))
    }

    /// Closes what `open` opened: a team registry's connections end with it.
    static func close(_ registry: Registry) {
        (registry as? PostgresRegistry)?.close()
    }

    /// A new, empty registry for `seed`: the file removed first, or the database dropped and
    /// created again (the URL names a database the bench owns).
    static func fresh(_ spec: String) throws -> Registry {
        guard isTeam(spec) else {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: spec + suffix) }
            return try SQLiteRegistry(path: spec)
        }
        let location = try PostgresLocation.parse(spec)
        try PostgresRegistry.dropDatabase(location)
        _ = try PostgresRegistry.createDatabaseIfMissing(location)
        return try PostgresRegistry(location: location, target: RegistryTarget(nil))
    }
}
