import Foundation
import GreenVNStore
@testable import GreenVNPostgres

/// A database per test on the test server, made from a migrated template (the schema is built
/// once per process), dropped once its test and every registry opened on it are gone (a test may
/// keep a registry after its `TestDB`), and at exit.
enum Databases {
    private struct Entry {
        let name: String
        weak var owner: AnyObject?
        var registries: [Weak] = []
    }

    struct Weak { weak var object: AnyObject? }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var entries: [Entry] = []
    nonisolated(unsafe) private static var template: Result<String, Error>?

    /// A new database for `owner` (a TestDB); `migrated`: a copy of the schema's template, else empty.
    static func create(for owner: AnyObject, migrated: Bool = true) throws -> PostgresLocation {
        sweep()
        let server = try PostgresTestServer.location()
        let name = "gvt_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        let source = migrated ? try templateName(server) : "template0"
        try admin(server) { c in _ = try c.exec("CREATE DATABASE \(name) TEMPLATE \(source)") }
        lock.withLock { entries.append(Entry(name: name, owner: owner)) }
        return server.with(database: name)
    }

    /// Remembers a registry opened on `location`'s database (it is dropped only once they are all gone).
    static func track(_ registry: AnyObject, on location: PostgresLocation) {
        lock.withLock {
            if let i = entries.firstIndex(where: { $0.name == location.database }) { entries[i].registries.append(Weak(object: registry)) }
        }
    }

    /// Drops the databases nothing uses any more.
    static func sweep() {
        let done: [String] = lock.withLock {
            let gone = entries.filter { $0.owner == nil && $0.registries.allSatisfy { $0.object == nil } }.map(\.name)
            entries.removeAll { gone.contains($0.name) }
            return gone
        }
        guard !done.isEmpty, let server = try? PostgresTestServer.location() else { return }
        try? admin(server) { c in for name in done { _ = try c.exec("DROP DATABASE IF EXISTS \(name) WITH (FORCE)") } }
    }

    static func dropAll() {
        let all: [String] = lock.withLock {
            defer { entries = [] }
            return entries.map(\.name) + ((try? template?.get()).map { [$0] } ?? [])
        }
        guard !all.isEmpty, let server = try? PostgresTestServer.location() else { return }
        try? admin(server) { c in for name in all { _ = try c.exec("DROP DATABASE IF EXISTS \(name) WITH (FORCE)") } }
    }

    /// The migrated, unbound template (made once per process; nothing stays connected to it).
    private static func templateName(_ server: PostgresLocation) throws -> String {
        try lock.withLock {
            if let template { return try template.get() }
            let result = Result { () throws -> String in
                let name = "gvt_template_\(getpid())"
                try admin(server) { c in
                    _ = try c.exec("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
                    _ = try c.exec("CREATE DATABASE \(name) TEMPLATE template0")
                }
                try admin(server.with(database: name)) { c in try Migrations.run(c, server.with(database: name)) }
                return name
            }
            template = result
            return try result.get()
        }
    }

    static func admin<T>(_ location: PostgresLocation, _ body: (PGConnection) throws -> T) throws -> T {
        let config = try PGConfig(location: location, options: PostgresRegistry.Options(), logger: PostgresTestServer.logger)
        let c = try PGConnection.connect(config, purpose: "tests")
        defer { c.close() }
        return try body(c)
    }
}
