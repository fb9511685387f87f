import Foundation
import GRDB
import GreenVNKit

/// The operator's memory of every allocation: Lead Assist has no list call and no lookup by
/// connection_id, so what is not here is lost. One SQLite file per target, in WAL mode, shared
/// safely by several processes (the TUI, a CLI command, a bulk import) with a 5 s busy timeout.
public final class Registry: @unchecked Sendable {
    /// nil for `inMemory()`.
    public let path: String?
    let writer: any DatabaseWriter
    /// Group commit for `writeAsync` (see `GroupCommit`).
    private let commits: GroupCommit
    /// The last `rareMatches` answer (see there).
    let candidates = Locked<(key: String, change: Int64, active: Int, ids: String?)?>(nil)
    /// The last `rareOrdered` answer: a rare filter's matching rowids, in the list's order.
    let ordered = Locked<(key: String, change: Int64, active: Int, ids: [Int64])?>(nil)
    /// Rows of pages read before, to seek to (see `pageRows`).
    let anchors = Locked<(key: AnchorKey, list: [Anchor])?>(nil)
    /// The last tab counts worked out (see `tally`).
    let tallies = Locked<(change: Int64, nowMs: Int64, tally: (active: Int, vault: Int, pending: Int))?>(nil)

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
            throw GreenVNError.configuration("cannot open the registry \(path): \(Self.describe(error)). Check the file and GREENVN_HOME.")
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
    public static func inMemory() throws -> Registry {
        try Registry(memory: DatabaseQueue(configuration: configuration))
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

    // MARK: single rows and logs

    public func allocation(id: String) throws -> StoredAllocation? {
        try writer.read { try AllocationRows.fetch($0, id: id) }
    }

    public func allocation(connectionId: String) throws -> StoredAllocation? {
        try writer.read { try AllocationRows.fetch($0, connectionId: connectionId) }
    }

    /// The VN changes of one allocation, oldest first.
    public func history(of id: String) throws -> [VNChange] {
        try writer.read { try VNHistory.changes($0, of: id) }
    }

    /// Newest first; `target` nil for the whole log.
    public func audit(for target: String?, limit: Int) throws -> [AuditEntry] {
        try writer.read { try AuditLog.entries($0, for: target, limit: limit) }
    }

    /// Creates written but not settled yet (outcome unknown), oldest first.
    public func outbox() throws -> [OutboxEntry] {
        try writer.read { try Outbox.all($0) }
    }

    /// Bumped by every committed write, from any process.
    public func changeCount() throws -> Int64 {
        try writer.read { try Int64.fetchOne($0, sql: "SELECT n FROM change WHERE id = 1") ?? 0 }
    }

    // MARK: writes

    /// Records what the API answered (upsert by greenvn_id; VN history when the VN is new or
    /// changed). `request`: what was asked at create, kept with the row.
    public func remember(_ a: Allocation, how: String, request: AllocationRequest? = nil, now: Date = Date()) throws {
        try write { db in _ = try AllocationRows.remember(db, a, how: how, request: request, now: now) }
    }

    /// Stores rows exactly as given (upsert by greenvn_id) in one transaction, without history or
    /// audit: for benchmarks and test fixtures, never for what the API answered (use `remember`).
    public func seed(_ rows: [StoredAllocation]) throws {
        try write { db in for r in rows { try r.save(db) } }
    }

    public func audit(action: String, target: String, outcome: String) throws {
        try write { db in try AuditLog.append(db, action: action, target: target, outcome: outcome, now: Date()) }
    }

    /// One transaction that also bumps the change counter observers watch.
    func write<T>(_ body: (Database) throws -> T) throws -> T {
        try writer.write { db in
            let result = try body(db)
            try db.run("UPDATE change SET n = n + 1 WHERE id = 1")
            return result
        }
    }

    /// The same, off the caller's thread, and NOT cancellable: once the API has acted, its
    /// outcome is recorded even if the task that asked was cancelled. `durable` forces a
    /// synchronous=FULL commit (the outbox entry must survive a power cut before we send).
    func writeAsync<T: Sendable>(durable: Bool = false, _ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (cont: CheckedContinuation<T, Error>) in
            let outcome = Outcome<T>()
            commits.submit(durable: durable, body: { db in
                do {
                    var result: T?
                    try db.inSavepoint {
                        result = try body(db)
                        return .commit
                    }
                    outcome.value = .success(result!)
                    return true
                } catch {
                    outcome.value = .failure(error)
                    return false
                }
            }, finish: { commitError in
                if let commitError, case .success? = outcome.value {
                    cont.resume(throwing: commitError)
                } else {
                    cont.resume(with: outcome.value ?? .failure(commitError ?? CancellationError()))
                }
            })
        }
    }

    func readAsync<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (cont: CheckedContinuation<T, Error>) in
            writer.asyncRead { result in
                cont.resume(with: Result { try body(result.get()) })
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
