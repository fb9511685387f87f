import Foundation
import GreenVNKit
import GreenVNStore

/// Everything the console reads from the registry: the list's pages and tallies, and the
/// selected allocation's trail. `StoreReader` answers from the real registry; tests fake it.
protocol RegistryReading: Sendable {
    func page(_ q: ListQuery, offset: Int, limit: Int, now: Date) throws -> [StoredAllocation]
    func count(_ q: ListQuery, now: Date) throws -> Int
    /// `count`, but at most `limit` (a filter need not be counted past what the screen needs).
    func count(_ q: ListQuery, upTo limit: Int, now: Date) throws -> Int
    func counts(now: Date) throws -> Counts
    func index(of id: String, in q: ListQuery, now: Date) throws -> Int?
    /// `index`, or nil when finding it would read too far (see `Registry.followIndex`).
    func followIndex(of id: String, in q: ListQuery, now: Date) throws -> Int?
    /// VN changes, oldest first.
    func history(of id: String) throws -> [VNChange]
    /// Newest first.
    func audit(for id: String, limit: Int) throws -> [AuditEntry]
}

extension RegistryReading {
    func count(_ q: ListQuery, upTo limit: Int, now: Date) throws -> Int { min(limit, try count(q, now: now)) }
    func followIndex(of id: String, in q: ListQuery, now: Date) throws -> Int? { try index(of: id, in: q, now: now) }
}

/// The registry the executable opened, as the console reads it.
struct StoreReader: RegistryReading, @unchecked Sendable {
    let registry: Registry

    func page(_ q: ListQuery, offset: Int, limit: Int, now: Date) throws -> [StoredAllocation] {
        try registry.page(q, offset: offset, limit: limit, now: now)
    }
    func count(_ q: ListQuery, now: Date) throws -> Int { try registry.count(q, now: now) }
    func count(_ q: ListQuery, upTo limit: Int, now: Date) throws -> Int { try registry.count(q, upTo: limit, now: now) }
    func counts(now: Date) throws -> Counts {
        let c = try registry.counts(now: now)
        return Counts(active: c.active, vault: c.vault, pending: c.pending)
    }
    func index(of id: String, in q: ListQuery, now: Date) throws -> Int? { try registry.index(of: id, in: q, now: now) }
    func followIndex(of id: String, in q: ListQuery, now: Date) throws -> Int? { try registry.followIndex(of: id, in: q, now: now) }
    func history(of id: String) throws -> [VNChange] { try registry.history(of: id) }
    func audit(for id: String, limit: Int) throws -> [AuditEntry] { try registry.audit(for: id, limit: limit) }
}

/// History and audit of the selected allocation (its fields come from the list row).
struct DetailData: Equatable, Sendable {
    var id: String
    var history: [VNChange]
    var audit: [AuditEntry]

    static let auditLimit = 50

    /// What the detail pane shows; a trail that cannot be read shows as none recorded.
    static func load(id: String, from registry: RegistryReading) -> DetailData {
        let history = (try? registry.history(of: id)) ?? []
        let audit = (try? registry.audit(for: id, limit: auditLimit)) ?? []
        return DetailData(id: id, history: history, audit: audit)
    }
}
