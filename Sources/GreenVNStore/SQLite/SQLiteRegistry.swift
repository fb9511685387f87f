import CSQLiteKnobs
import Foundation
import GRDB
import GreenVNKit

/// The registry in one SQLite file per target (WAL), shared safely by several processes on one
/// machine (the console, a CLI command, a bulk import) with a 5 s busy timeout. The default for
/// one operator; a team shares a `PostgresRegistry`.
public final class SQLiteRegistry: Registry, ReadsNow, @unchecked Sendable {
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

    /// How many SQLite connections a registry keeps.
    public enum Connections: Sendable {
        /// A writer and readers beside it (the console and bulk read while a write runs).
        case pool
        /// One connection for everything: a CLI command reads a few rows and writes once or
        /// twice, and a reader would be a second open (file checks, the schema parsed again).
        case single
    }

    /// Opens (creating it and its directory if needed) and migrates the registry at `path`.
    /// A registry whose schema is current (its `user_version` stamp) is opened without the
    /// open lock or the migrator.
    public init(path: String, connections: Connections = .pool) throws {
        self.path = path
        do {
            let dir = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? ""
            if !dir.isEmpty { try DataDirectory.ensure(dir) }
            _ = greenvn_sqlite_register_vfs()
            var opened: (any DatabaseWriter)?
            if Self.hasContent(path) {
                let w = try Self.open(path, connections)
                if try Schema.isCurrent(w) { opened = w }
            }
            if opened == nil {
                let lock = try OpenLock(directory: dir)
                defer { lock.release() }
                let w = try Self.open(path, connections)
                try Schema.migrate(w)
                opened = w
            }
            writer = opened!
            commits = GroupCommit(writer: writer)
        } catch let e as GreenVNError {
            throw e
        } catch {
            throw RegistryError("cannot open the registry \(path): \(Self.describe(error)). Check the file and GREENVN_HOME.")
        }
    }

    private static func open(_ path: String, _ connections: Connections) throws -> any DatabaseWriter {
        switch connections {
        case .pool: return try DatabasePool(path: path, configuration: configuration)
        // Not GRDB's WAL set-up (it checks the WAL's size through Foundation's URL at every
        // open): a registry file is in WAL mode from its first migration on (`Schema.migrate`).
        case .single: return try DatabaseQueue(path: path, configuration: configuration)
        }
    }

    /// A file that SQLite has written to (a new one is empty until its first migration).
    private static func hasContent(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && st.st_size > 0
    }

    private init(memory writer: DatabaseQueue) throws {
        path = nil
        self.writer = writer
        commits = GroupCommit(writer: writer)
        try Schema.migrate(writer)
    }

    /// A private registry that lives as long as the object (tests, previews).
    public static func inMemory() throws -> SQLiteRegistry {
        try SQLiteRegistry(memory: DatabaseQueue(configuration: configuration))
    }

    static var configuration: Configuration {
        var c = Configuration()
        c.busyMode = .timeout(5)
        c.label = "greenvn.registry"
        c.prepareDatabase { db in
            // Durability is decided per commit: NORMAL (no fsync at commit in WAL mode), FULL only
            // for a group holding an outbox write (`GroupCommit`): a create is on disk before it
            // is sent. Closing adds no fsync of its own: by default the last connection to close
            // checkpoints the WAL into the database (an fsync of each) and deletes it, so the
            // next open finds no WAL and writes one (two more: the WAL and its directory). Left
            // in place, the WAL is checkpointed by SQLite every `walCheckpointPages` pages and
            // read back by the next process that opens the file, as after a kill -9.
            _ = greenvn_sqlite_no_checkpoint_on_close(db.sqliteConnection)
            try db.execute(sql: """
                PRAGMA synchronous = NORMAL;
                PRAGMA wal_autocheckpoint = \(walCheckpointPages);
                PRAGMA temp_store = MEMORY;
                """)
            // temp_store: statement journals (a savepoint per grouped write) in memory, not in
            // files created and unlinked in /var/tmp inside every write transaction.
        }
        return c
    }

    /// How long the WAL grows before SQLite checkpoints it (4 KiB pages). The next process to
    /// open the file reads the WAL back (rebuilds its index): ~1 ms of CPU for 1,000 pages
    /// (SQLite's default), ~0.25 ms for 256.
    static let walCheckpointPages = 256

    /// The same during a bulk import (16 MiB of WAL): every checkpoint copies the pages the rows
    /// since the last one touched (the allocation table's indexes, the trigram index) back into
    /// the database and fsyncs it, and with 256 pages an import of 10,000 rows ran dozens of them,
    /// copying the same index pages each time (measured: 15–30 % more CPU per row). Set back to
    /// `walCheckpointPages` when the import ends; a WAL this size costs the next open ~4 ms.
    static let bulkCheckpointPages = 4096

    /// Sets how many WAL pages this process's commits let grow before SQLite checkpoints.
    func checkpointEvery(pages: Int) async {
        _ = try? await writer.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA wal_autocheckpoint = \(pages)")
        }
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
    public func readNow<T>(_ body: (RegistryTransaction) throws -> T) throws -> T {
        do {
            return try writer.read { db in try body(RegistryTransaction(GRDBSession(db))) }
        } catch {
            throw registryError(error)
        }
    }


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

