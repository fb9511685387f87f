import Foundation
import GreenVNPostgres
import GreenVNStore

/// A database per test on the test server, made from a migrated template (the schema is built
/// once per process), dropped once its test and every registry opened on it are gone (a test may
/// keep a registry after its `TestDB`), and at exit.
public enum Databases {
    private struct Entry {
        let name: String
        weak var owner: AnyObject?
        var registries: [Weak] = []
    }

    private struct Weak { weak var object: AnyObject? }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var entries: [Entry] = []
    nonisolated(unsafe) private static var template: Result<String, Error>?

    /// A new database for `owner`; `migrated`: a copy of the schema's template (bound to
    /// `PostgresTestServer.target`), else empty.
    public static func create(for owner: AnyObject, migrated: Bool = true) throws -> PostgresLocation {
        sweep()
        let server = try PostgresTestServer.location()
        let name = "gvt_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        let location = server.with(database: name)
        try PostgresRegistry.createDatabase(location, template: migrated ? try templateName(server) : "template0",
                                            logger: PostgresTestServer.logger)
        lock.withLock { entries.append(Entry(name: name, owner: owner)) }
        return location
    }

    /// Remembers a registry opened on `location`'s database (it is dropped only once they are all gone).
    public static func track(_ registry: AnyObject, on location: PostgresLocation) {
        lock.withLock {
            if let i = entries.firstIndex(where: { $0.name == location.database }) { entries[i].registries.append(Weak(object: registry)) }
        }
    }

    /// Drops the databases nothing uses any more.
    public static func sweep() {
        let done: [String] = lock.withLock {
            let gone = entries.filter { $0.owner == nil && $0.registries.allSatisfy { $0.object == nil } }.map(\.name)
            entries.removeAll { gone.contains($0.name) }
            return gone
        }
        drop(done)
    }

    static func dropAll() {
        let all: [String] = lock.withLock {
            defer { entries = [] }
            return entries.map(\.name) + ((try? template?.get()).map { [$0] } ?? [])
        }
        drop(all)
    }

    private static func drop(_ names: [String]) {
        guard !names.isEmpty, let server = try? PostgresTestServer.location() else { return }
        for name in names { try? PostgresRegistry.dropDatabase(server.with(database: name), logger: PostgresTestServer.logger) }
    }

    /// The migrated template (made once per process; nothing stays connected to it).
    private static func templateName(_ server: PostgresLocation) throws -> String {
        try lock.withLock {
            if let template { return try template.get() }
            let result = Result { () throws -> String in
                let location = server.with(database: "gvt_template_\(getpid())")
                try PostgresRegistry.dropDatabase(location, logger: PostgresTestServer.logger)
                try PostgresRegistry.createDatabase(location, template: "template0", logger: PostgresTestServer.logger)
                try PostgresRegistry(location: location, target: PostgresTestServer.target, logger: PostgresTestServer.logger).close()
                return location.database
            }
            template = result
            return try result.get()
        }
    }
}
