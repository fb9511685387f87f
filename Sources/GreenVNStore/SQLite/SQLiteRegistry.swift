import Foundation
import GRDB
import GreenVNKit

/// The registry in one SQLite file per target (WAL), shared safely by several processes on one
/// machine (the console, a CLI command, a bulk import) with a 5 s busy timeout. The default for
/// one operator; a team shares a `PostgresRegistry`.
public final class SQLiteRegistry: Registry, @unchecked Sendable {
    /// nil for `inMemory()`.
    public let path: String?
    let writer: any DatabaseWriter
    /// Group commit for `write` (see `GroupCommit`).
    private let commits: GroupCommit
    /// The last `rareMatches` answer (see there).
    let candidates = Locked<(key: String, change: Int64, active: Int, ids: String?)?>(nil)
    /// The last `rareOrdered` answer: a rare filter's matching rowids, in the list's order.
    let ordered = Locked<(key: String, change: Int64, active: Int, ids: [Int64])?>(nil)
    /// Rows of pages read before, to seek to (see `pageRows`).
    let anchors = Locked<(key: AnchorKey, list: [Anchor])?>(nil)
    /// The last tab counts worked out (see `tally`).
    let tallies = Locked<(change: Int64, nowMs: Int64, tally: TabCounts)?>(nil)

    public var description: String { path.map { "SQLite \($0)" } ?? "SQLite (in memory)" }

    /// Opens (creating it and its directory if needed) and migrates the registry at `path`.
    public init(path: String) throws {
        self.path = path
        do {
            let dir = (path as NSString).deletingLastPathComponent
            if !dir.isEmpty { try DataDirectory.ensure(dir) }
            let lock = try OpenLock(directory: dir)
            defer { lock.release() }
            writer = try DatabasePool(path: path, configuration: Self.configuration)
            commits = GroupCommit(writer: writer)
            try Schema.migrator.migrate(writer)
            try Schema.ensureDerivedTables(writer)
        } catch let e as GreenVNError {
            throw e
        } catch {
            throw RegistryError("cannot open the registry \(path): \(Self.describe(error)). Check the file and GREENVN_HOME.")
        }
    }

    private init(memory writer: DatabaseQueue) throws {
        path = nil
        self.writer = writer
        commits = GroupCommit(writer: writer)
        try Schema.migrator.migrate(writer)
        try Schema.ensureDerivedTables(writer)
    }

    /// A private registry that lives as long as the object (tests, previews).
    public static func inMemory() throws -> SQLiteRegistry {
        try SQLiteRegistry(memory: DatabaseQueue(configuration: configuration))
    }

    static var configuration: Configuration {
        var c = Configuration()
        c.busyMode = .timeout(5)
        c.label = "greenvn.registry"
        return c
    }

    static func describe(_ error: Error) -> String {
        if let e = error as? DatabaseError { return e.message ?? "SQLite error \(e.resultCode)" }
        return AuditLog.outcome(of: error)
    }

    /// A GRDB error as the registry's own (what the operator reads names the file).
    func registryError(_ error: Error) -> Error {
        guard error is DatabaseError else { return error }
        return RegistryError("the registry \(path ?? "in memory") failed: \(Self.describe(error)). Nothing was lost; check the disk and try again.")
    }

    // MARK: single rows and logs

    /// A read through the recipes, on the caller's thread.
    func readNow<T>(_ body: (RegistryTransaction) throws -> T) throws -> T {
        do {
            return try writer.read { db in try body(RegistryTransaction(GRDBSession(db))) }
        } catch {
            throw registryError(error)
        }
    }

    public func allocation(id: String) throws -> StoredAllocation? { try readNow { try $0.allocation(id: id) } }
    public func allocation(connectionId: String) throws -> StoredAllocation? { try readNow { try $0.allocation(connectionId: connectionId) } }
    public func allocations(vn: String) throws -> [StoredAllocation] { try readNow { try $0.allocations(vn: vn) } }
    public func history(of id: String) throws -> [VNChange] { try readNow { try $0.history(of: id) } }
    public func audit(for target: String?, limit: Int) throws -> [AuditEntry] { try readNow { try $0.auditEntries(for: target, limit: limit) } }
    public func calls(of id: String, limit: Int) throws -> [CallRecord] { try readNow { try $0.calls(of: id, limit: limit) } }
    public func outbox() throws -> [OutboxEntry] { try readNow { try $0.outbox() } }

    /// Bumped by every committed write, from any process.
    public func changeCount() throws -> Int64 {
        try writer.read { try Int64.fetchOne($0, sql: "SELECT n FROM change WHERE id = 1") ?? 0 }
    }

    // MARK: writes

    public func seed(_ rows: [StoredAllocation]) throws {
        do {
            try writer.write { db in
                let session = GRDBSession(db)
                for r in rows { try r.save(session) }
                try db.run("UPDATE change SET n = n + 1 WHERE id = 1")
            }
        } catch {
            throw registryError(error)
        }
    }

    /// Bodies waiting for the writer run together in one IMMEDIATE transaction, each in its own
    /// savepoint, and share one commit (see `GroupCommit`).
    public func write<T: Sendable>(durable: Bool, _ body: @escaping @Sendable (RegistryTransaction) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (cont: CheckedContinuation<T, Error>) in
            let outcome = Outcome<T>()
            commits.submit(durable: durable, body: { db in
                do {
                    var result: T?
                    try db.inSavepoint {
                        result = try body(RegistryTransaction(GRDBSession(db)))
                        return .commit
                    }
                    outcome.value = .success(result!)
                    return true
                } catch {
                    outcome.value = .failure(error)
                    return false
                }
            }, finish: { [self] commitError in
                if let commitError, case .success? = outcome.value {
                    cont.resume(throwing: registryError(commitError))
                } else {
                    cont.resume(with: (outcome.value ?? .failure(commitError ?? CancellationError())).mapError(registryError))
                }
            })
        }
    }

    public func read<T: Sendable>(_ body: @escaping @Sendable (RegistryTransaction) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (cont: CheckedContinuation<T, Error>) in
            writer.asyncRead { [self] result in
                cont.resume(with: Result { try body(RegistryTransaction(GRDBSession(result.get()))) }.mapError(registryError))
            }
        }
    }
}

extension Database {
    /// Runs one statement through the connection's statement cache (the hot write paths run the
    /// same few statements thousands of times).
    func run(_ sql: String, _ arguments: StatementArguments = []) throws {
        try cachedStatement(sql: sql).execute(arguments: arguments)
    }

    func row(_ sql: String, _ arguments: StatementArguments = []) throws -> Row? {
        try Row.fetchOne(cachedStatement(sql: sql), arguments: arguments)
    }

    func rows(_ sql: String, _ arguments: StatementArguments = []) throws -> [Row] {
        try Row.fetchAll(cachedStatement(sql: sql), arguments: arguments)
    }
}

/// A value shared between threads.
final class Locked<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: T
    init(_ value: T) { stored = value }
    var value: T {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
