import Foundation
import GreenVNKit

/// The operator's — or the team's — memory of every allocation. Lead Assist has no list call
/// and no lookup by connection_id, so what is not here is lost.
///
/// Two backends: `SQLiteRegistry` (one file in the data directory: the default for one operator)
/// and `PostgresRegistry` (a team's database, GreenVNPostgres). The console, the CLI verbs, bulk
/// and reconcile use only this interface.
///
/// Threads: reads run on the caller's thread, which must not be one of Swift's cooperative pool
/// (the console reads on its read queue, the CLI on its main thread); `read` and `write` hop to
/// the backend's own threads and resume the caller, so `Operations` never blocks the pool.
public protocol Registry: ListReading, AnyObject {
    /// Where it lives, for messages: "SQLite /path/registry.sqlite",
    /// "PostgreSQL greenvn@127.0.0.1:5432/team". Never a password.
    var description: String { get }

    // MARK: one allocation and what is known about it

    func allocation(id: String) throws -> StoredAllocation?
    func allocation(connectionId: String) throws -> StoredAllocation?
    /// The allocations whose current VN is `vn`, newest first (one active at most; the rest in the vault).
    func allocations(vn: String) throws -> [StoredAllocation]
    /// Its VN changes and release, oldest first.
    func history(of id: String) throws -> [VNChange]
    /// Newest first; `target` nil for the whole log.
    func audit(for target: String?, limit: Int) throws -> [AuditEntry]
    /// Calls through it that Lead Assist's webhooks reported, newest first.
    func calls(of id: String, limit: Int) throws -> [CallRecord]
    /// Creates written but not settled yet (outcome unknown), oldest first.
    func outbox() throws -> [OutboxEntry]

    // MARK: transactions (Operations, reconcile, bulk, the webhook receiver)

    /// A consistent read on the backend's own thread.
    func read<T: Sendable>(_ body: @escaping @Sendable (RegistryTransaction) throws -> T) async throws -> T
    /// One transaction, committed before this returns, NOT cancellable: once the API has acted,
    /// its outcome is recorded even if the task that asked was cancelled. `durable`: the commit
    /// survives a power cut before this returns (the outbox entry before its create is sent);
    /// otherwise a backend may trade that for speed (a crash may lose the last commits, never
    /// corrupt). The body may run more than once (a backend retries a conflict with another
    /// operator's transaction): it touches nothing but the transaction.
    func write<T: Sendable>(durable: Bool, _ body: @escaping @Sendable (RegistryTransaction) throws -> T) async throws -> T

    /// Stores rows exactly as given (upsert by greenvn_id), without history or audit: benchmarks
    /// and fixtures, never what the API answered (that goes through `Operations`).
    func seed(_ rows: [StoredAllocation]) throws

    /// Calls `onChange` (on an arbitrary thread) soon after any process — any operator, for a
    /// team registry — commits a change. Keep the token alive; dropping it cancels.
    func observe(_ onChange: @escaping @Sendable () -> Void) -> AnyObject
}

/// The list's reads (paged: a screen never loads more than it shows; `now` decides expired vs
/// active). Apart from `Registry` so a screen's tests can fake just this.
public protocol ListReading: Sendable {
    func page(_ q: ListQuery, offset: Int, limit: Int, now: Date) throws -> [StoredAllocation]
    /// Rows under `q`; exact (with a text filter it may read every row of the tab).
    func count(_ q: ListQuery, now: Date) throws -> Int
    /// `count`, but at most `limit`: what a screen needs while the operator types a filter.
    func count(_ q: ListQuery, upTo limit: Int, now: Date) throws -> Int
    /// The tab counters.
    func counts(now: Date) throws -> TabCounts
    /// Where the row with `id` sits under `q` (0-based), nil if `q` does not show it.
    func index(of id: String, in q: ListQuery, now: Date) throws -> Int?
    /// `index`, or nil when finding it would read too far (a common text filter, a row deep
    /// in a million): the list then keeps the cursor's row number.
    func followIndex(of id: String, in q: ListQuery, now: Date) throws -> Int?
}

/// The list's tab counters at a moment.
public struct TabCounts: Equatable, Sendable {
    /// Active and not past expiry.
    public var active: Int
    /// Active for the registry but past expiry (counted in `vault` too).
    public var expired: Int
    /// Deallocated or expired.
    public var vault: Int
    /// Rows that need the operator (pending, id unknown), also counted in active or vault.
    public var pending: Int

    public init(active: Int = 0, expired: Int = 0, vault: Int = 0, pending: Int = 0) {
        self.active = active
        self.expired = expired
        self.vault = vault
        self.pending = pending
    }

    public func rows(_ state: StateFilter) -> Int {
        switch state {
        case .active: return active
        case .expired: return expired
        case .vault: return vault
        case .all: return active + vault
        }
    }
}

extension ListReading {
    public func page(_ q: ListQuery, offset: Int, limit: Int) throws -> [StoredAllocation] { try page(q, offset: offset, limit: limit, now: Date()) }
    public func count(_ q: ListQuery) throws -> Int { try count(q, now: Date()) }
    public func counts() throws -> TabCounts { try counts(now: Date()) }
    public func index(of id: String, in q: ListQuery) throws -> Int? { try index(of: id, in: q, now: Date()) }
}

extension Registry {
    /// The same, for a change by this process: a one-statement write is not worth a group.
    public func write<T: Sendable>(_ body: @escaping @Sendable (RegistryTransaction) throws -> T) async throws -> T {
        try await write(durable: false, body)
    }

    /// Records what the API answered, outside `Operations` (imports in tests, tools).
    public func remember(_ a: Allocation, how: String, request: AllocationRequest? = nil, now: Date = Date()) async throws {
        try await write { tx in _ = try tx.remember(a, how: how, request: request, now: now) }
    }

    public func audit(action: String, target: String, outcome: String) async throws {
        try await write { tx in try tx.audit(action, target: target, outcome: outcome, now: Date()) }
    }
}
