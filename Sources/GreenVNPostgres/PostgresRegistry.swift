import Foundation
import GreenVNKit
import GreenVNStore
import Logging
import PostgresNIO

/// A team's registry in one PostgreSQL database: the same `Registry` as `SQLiteRegistry`, shared
/// live by every operator's greenvn. Reads run on the caller's thread over pooled connections;
/// `read`/`write` run on the backend's own threads; each write is one transaction, retried when
/// it conflicts with a colleague's or the connection drops before its outcome is known
/// (`Transactions`); the outbox's leases name a presence lock this process holds for its life
/// (`Presence`); every write notifies the others (`observe`).
public final class PostgresRegistry: Registry, ReadsNow, @unchecked Sendable {
    public struct Options: Sendable {
        /// Seconds to wait for a connection to be made.
        public var connectTimeout: Double = 5
        /// Seconds a statement (or a wait for a colleague's lock) may take on the server.
        public var statementTimeout: Double = 30
        /// Seconds a dropped connection is retried before an operation fails as unreachable.
        public var retrySeconds: Double = 20
        /// Threads (each with a connection) for `read`/`write`: a bulk import sends many creates at once.
        public var writers: Int = 4
        /// Connections for the synchronous reads (the console's read queue, the CLI's thread).
        public var readers: Int = 2
        /// A writer's connection closes after this many idle seconds.
        public var idleSeconds: Double = 60
        /// Who acts through this handle, as the audit log and outbox leases name them
        /// (nil: `$GREENVN_OPERATOR`, else the login name).
        public var operatorName: String?

        public init() {}
    }

    public let location: PostgresLocation
    public let target: RegistryTarget
    /// This process as its outbox leases name it: the operator, the host, the presence token.
    public let owner: LeaseOwner
    let config: PGConfig
    let readers: Readers
    let workers: Workers
    let presence: Presence
    let logger: Logger
    /// The list's caches (see PostgresList.swift).
    let caches = ListCaches()
    let closed = Locked(false)
    private let writesSinceFold = Locked(0)

    public var description: String { "PostgreSQL \(location)" }

    /// Connects, creates or upgrades the schema (once, however many processes open a new
    /// database at once), binds the database to `target` (refusing another's) and takes this
    /// process's presence lock. Throws `PostgresRegistryError`, saying what to do.
    public init(location: PostgresLocation, target: RegistryTarget, options: Options = Options(),
                logger: Logger = Logger(label: "greenvn.registry")) throws {
        self.location = location
        self.target = target
        self.logger = logger
        config = try PGConfig(location: location, options: options, logger: logger)
        let first: PGConnection
        do {
            first = try PGConnection.connect(config, purpose: "reader")
        } catch {
            throw PGFailure.opening(error, location)
        }
        do {
            try Migrations.run(first, location)
            try Migrations.bind(first, to: target, location)
            presence = try Presence(config)
        } catch let e as PostgresRegistryError {
            first.close()
            throw e
        } catch {
            first.close()
            throw PGFailure.opening(error, location)
        }
        owner = LeaseOwner(operatorName: options.operatorName ?? Identity.operatorName, host: Identity.host, token: presence.token)
        readers = Readers(config: config, limit: options.readers, first: first)
        workers = Workers(count: options.writers, config: config, name: "writer")
        logger.debug("registry opened: \(location)")
        workers.submit { [weak self] w in self?.fold(w) }
    }

    /// Closes every connection (the presence lock goes with its connection). Idempotent; the
    /// registry answers nothing afterwards.
    public func close() {
        let already = closed.update { c -> Bool in defer { c = true }; return c }
        if already { return }
        workers.stop()
        readers.close()
        presence.close()
    }

    deinit { close() }

    // MARK: single rows and logs (the recipes, on the caller's thread)

    public func readNow<T>(_ body: (RegistryTransaction) throws -> T) throws -> T {
        try reading { c in try body(RegistryTransaction(PGSession(c, owner: owner))) }
    }


    /// Runs `body` on a reader connection, again on a new one when the connection drops (a
    /// read changes nothing, so it is always safe to repeat), until `retrySeconds` have passed.
    func reading<T>(_ body: (PGConnection) throws -> T) throws -> T {
        let deadline = Date().addingTimeInterval(config.options.retrySeconds)
        var pause = 0.05
        var failures = 0
        while true {
            do {
                let result = try readers.with(body)
                if failures > 0 { logger.notice("registry reachable again after \(failures) failed attempt(s)") }
                return result
            } catch where PGFailure.isConnectionLoss(error) || error is ConnectTimeout {
                failures += 1
                if closed.value || Date().addingTimeInterval(pause) > deadline { throw unreachable(error) }
                logger.warning("registry connection lost (\(PGFailure.describe(error))); retrying")
                Thread.sleep(forTimeInterval: pause)
                pause = min(pause * 2, 2)
            } catch {
                throw registryError(error)
            }
        }
    }

    // MARK: transactions

    public func read<T: Sendable>(_ body: @escaping @Sendable (RegistryTransaction) throws -> T) async throws -> T {
        try await onWorker { w in try self.transaction(w, readOnly: true, durable: false, body) }
    }

    public func write<T: Sendable>(durable: Bool, _ body: @escaping @Sendable (RegistryTransaction) throws -> T) async throws -> T {
        try await onWorker { w in try self.transaction(w, readOnly: false, durable: durable, body) }
    }

    /// Hops to a worker thread and back, resuming the caller (not cancellable, as `write` promises).
    private func onWorker<T: Sendable>(_ job: @escaping @Sendable (Worker) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (cont: CheckedContinuation<T, Error>) in
            workers.submit { w in cont.resume(with: Result { try job(w) }) }
        }
    }

    /// After every so many writes, the tally deltas are folded (unfolded, they slow the counters).
    func didWrite(_ w: Worker) {
        let due = writesSinceFold.update { n -> Bool in
            n += 1
            if n < 500 { return false }
            n = 0
            return true
        }
        if due { fold(w) }
    }

    private func fold(_ w: Worker) {
        do {
            try w.use().exec("SELECT tally_fold()")
        } catch {
            logger.debug("tally fold skipped: \(PGFailure.describe(error))")
        }
    }

    // MARK: fixtures and benchmarks

    /// Stores rows as given (upsert by greenvn_id), a few hundred per statement, in one transaction.
    public func seed(_ rows: [StoredAllocation]) throws {
        var byId: [String: Int] = [:]
        for (i, r) in rows.enumerated() { byId[r.id] = i }
        let unique = rows.enumerated().filter { byId[$0.element.id] == $0.offset }.map(\.element)
        let placeholders = "(" + Array(repeating: "?", count: 24).joined(separator: ",") + ")"
        let update = StoredAllocation.columns.split(separator: ",").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            .filter { $0 != "greenvn_id" }.map { "\($0) = excluded.\($0)" }.joined(separator: ", ")
        try reading { c in
            try c.exec("BEGIN")
            do {
                for start in stride(from: 0, to: unique.count, by: 500) {
                    let chunk = unique[start..<min(unique.count, start + 500)]
                    let sql = "INSERT INTO allocation (\(StoredAllocation.columns)) VALUES "
                        + chunk.map { _ in placeholders }.joined(separator: ",")
                        + " ON CONFLICT (greenvn_id) DO UPDATE SET " + update
                    try c.exec(Placeholders.numbered(sql), chunk.flatMap(\.arguments))
                }
                try c.exec("SELECT pg_notify($1, 'seed'), nextval('registry_change')", [.text(PostgresSchema.channel)])
                try c.exec("COMMIT")
            } catch {
                if c.isUsable { _ = try? c.exec("ROLLBACK") }
                throw error
            }
            _ = try? c.exec("SELECT nextval('registry_change')")
            _ = try? c.exec("SELECT tally_fold()")
        }
    }

    // MARK: errors

    func registryError(_ error: Error) -> Error {
        if error is RegistryError || error is GreenVNError { return error }
        if PGFailure.isConnectionLoss(error) { return unreachable(error) }
        if error is PSQLError {
            return RegistryError("the team registry \(location) failed: \(PGFailure.describe(error)). Nothing was lost; try again, and tell the database's administrator if it persists.")
        }
        return error
    }

    func unreachable(_ error: Error) -> RegistryError {
        RegistryError("""
            the team registry \(location) cannot be reached (\(PGFailure.describe(error))) after retrying for \
            \(Int(config.options.retrySeconds)) s. Nothing was lost; check the server and the network, then try again.
            """, unreachable: true)
    }
}
