import Foundation

/// A backend that runs a read through the recipes now, on the caller's thread: the single-row
/// and log reads of `Registry` are written once here for every backend.
public protocol ReadsNow {
    func readNow<T>(_ body: (RegistryTransaction) throws -> T) throws -> T
}

public extension ReadsNow {
    func allocation(id: String) throws -> StoredAllocation? { try readNow { try $0.allocation(id: id) } }
    func allocation(connectionId: String) throws -> StoredAllocation? { try readNow { try $0.allocation(connectionId: connectionId) } }
    func allocations(vn: String) throws -> [StoredAllocation] { try readNow { try $0.allocations(vn: vn) } }
    func history(of id: String) throws -> [VNChange] { try readNow { try $0.history(of: id) } }
    func audit(for target: String?, limit: Int) throws -> [AuditEntry] { try readNow { try $0.auditEntries(for: target, limit: limit) } }
    func calls(of id: String, limit: Int) throws -> [CallRecord] { try readNow { try $0.calls(of: id, limit: limit) } }
    func outbox() throws -> [OutboxEntry] { try readNow { try $0.outbox() } }
}

/// A value shared between threads.
public final class Locked<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: T
    public init(_ value: T) { stored = value }
    public var value: T {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
    public func update<R>(_ body: (inout T) -> R) -> R { lock.withLock { body(&stored) } }
}
