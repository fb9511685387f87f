import Foundation
import GreenVNStore

/// The text filter, one keystroke at a time. A common term is read along the sort order (a page
/// of it turns up within a few hundred rows); a rarer one from its list of matches, found once per
/// keystroke through the trigram index and kept for the count, the page and the followed row (the
/// next keystroke narrows it). Which it is: a walk of the tab's first rows in the list's order,
/// stopping at `commonInWalk` matches — the planner cannot tell (it assumes matches spread
/// evenly: 413 ms for a term only old rows hold).
extension PostgresRegistry {
    /// Rows of the tab read, in order, to tell a common term from a rare one.
    static let walk = 5_000
    /// Matches within the walk that make a term common.
    static let commonInWalk = 100
    /// A term with at most this many matches is served from its list: ~5 µs a candidate (a
    /// heap visit each), ~65 ms for 8,000 at 1M rows, against ~300 ms to walk the sort order to
    /// a page of a term whose matches are all old. Terms commoner than this turn up in the walk.
    static let rareMatches = 20_000
    /// A term with no trigram (under 3 letters or digits in a row) is listed when it matches at most this many rows.
    static let rareShortMatches = 1_000

    /// The rows matching a rare filter in the list's order, or nil when the term is common.
    func rareOrdered(_ c: PGConnection, _ s: ListQuerySQL, change: Int64, tally t: TabCounts) throws -> [Int64]? {
        let key = FilterKey(state: s.query.state, term: s.term, orderBy: s.orderBy, change: change, active: t.active)
        let cached = caches.ordered.value
        if let cached, cached.key == key { return cached.ids }
        let ids = try findRare(c, s, previous: cached.flatMap { prior -> [Int64]? in
            // Typing extends the term: the new matches are among the last keystroke's.
            var k = prior.key
            k.term = s.term
            guard k == key, s.term.contains(prior.key.term) else { return nil }
            return prior.ids
        })
        caches.ordered.value = (key, ids)
        return ids
    }

    private func findRare(_ c: PGConnection, _ s: ListQuerySQL, previous: [Int64]?) throws -> [Int64]? {
        guard let filter = s.termCondition else { return nil }
        let order = s.orderBy
        if let previous {
            // one primary-key probe per earlier match
            return try c.run(Placeholders.numbered("SELECT id FROM allocation WHERE id = ANY(?::bigint[]) AND \(filter.0) ORDER BY \(order)"),
                             [.text(Self.array(previous))] + filter.1).rows.compactMap { $0.first?.int }
        }
        let (walkSQL, walkArgs) = s.select("search", extra: [], limit: Self.walk, offset: 0)
        let common = try c.run(Placeholders.numbered("SELECT count(*) FROM (SELECT 1 FROM (\(walkSQL)) w WHERE \(filter.0) LIMIT ?) m"),
                               walkArgs + filter.1 + [.int(Int64(Self.commonInWalk))]).int() ?? 0
        if common >= Self.commonInWalk { return nil }
        let (tab, tabArgs) = s.tabChecked
        let keys = (s.keys + ["id"]).joined(separator: ", ")
        let bound: Int
        let sql: String
        var args: [SQLValue]
        if s.hasTrigrams {
            // The trigram index's candidates, checked: MATERIALIZED keeps the planner from
            // walking a sort index instead (it cannot see how rare the term is).
            bound = Self.rareMatches
            sql = """
                WITH m AS MATERIALIZED (SELECT \(keys) FROM allocation WHERE search_trgm LIKE ? AND \(filter.0) AND \(tab) LIMIT ?)
                SELECT id FROM m ORDER BY \(order)
                """
            args = [.text(s.trigramPattern)] + filter.1 + tabArgs + [.int(Int64(bound + 1))]
        } else {
            // no trigram to narrow by: one scan, which stops early when the term is common after all
            bound = Self.rareShortMatches
            sql = "WITH m AS MATERIALIZED (SELECT \(keys) FROM allocation WHERE \(filter.0) AND \(tab) LIMIT ?) SELECT id FROM m ORDER BY \(order)"
            args = filter.1 + tabArgs + [.int(Int64(bound + 1))]
        }
        let ids = try c.run(Placeholders.numbered(sql), args).rows.compactMap { $0.first?.int }
        return ids.count <= bound ? ids : nil
    }
}
