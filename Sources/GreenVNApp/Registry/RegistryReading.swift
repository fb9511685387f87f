import Foundation
import GreenVNKit
import GreenVNStore

/// Everything the console reads from the registry: the list's pages and tallies (the Store's
/// ListReading), and the selected allocation's trail. `StoreReader` answers from the
/// executable's registry; tests fake it.
protocol RegistryReading: ListReading {
    /// VN changes and the release, oldest first.
    func history(of id: String) throws -> [VNChange]
    /// Newest first.
    func audit(for id: String, limit: Int) throws -> [AuditEntry]
    /// Calls Lead Assist's webhooks reported through it, newest first.
    func calls(of id: String, limit: Int) throws -> [CallRecord]
}

/// The registry the executable opened (any backend), as the console reads it.
struct StoreReader: RegistryReading, @unchecked Sendable {
    let registry: Registry

    func page(_ q: ListQuery, offset: Int, limit: Int, now: Date) throws -> [StoredAllocation] {
        try registry.page(q, offset: offset, limit: limit, now: now)
    }
    func count(_ q: ListQuery, now: Date) throws -> Int { try registry.count(q, now: now) }
    func count(_ q: ListQuery, upTo limit: Int, now: Date) throws -> Int { try registry.count(q, upTo: limit, now: now) }
    func counts(now: Date) throws -> TabCounts { try registry.counts(now: now) }
    func index(of id: String, in q: ListQuery, now: Date) throws -> Int? { try registry.index(of: id, in: q, now: now) }
    func followIndex(of id: String, in q: ListQuery, now: Date) throws -> Int? { try registry.followIndex(of: id, in: q, now: now) }
    func history(of id: String) throws -> [VNChange] { try registry.history(of: id) }
    func audit(for id: String, limit: Int) throws -> [AuditEntry] { try registry.audit(for: id, limit: limit) }
    func calls(of id: String, limit: Int) throws -> [CallRecord] { try registry.calls(of: id, limit: limit) }
}

/// History, audit and calls of the selected allocation (its fields come from the list row).
struct DetailData: Equatable, Sendable {
    var id: String
    var history: [VNChange]
    var audit: [AuditEntry]
    var calls: [CallRecord] = []

    static let auditLimit = 50
    static let callLimit = 20

    /// What the detail pane shows; a trail that cannot be read shows as none recorded.
    static func load(id: String, from registry: RegistryReading) -> DetailData {
        let history = (try? registry.history(of: id)) ?? []
        let audit = (try? registry.audit(for: id, limit: auditLimit)) ?? []
        let calls = (try? registry.calls(of: id, limit: callLimit)) ?? []
        return DetailData(id: id, history: history, audit: audit, calls: calls)
    }
}
