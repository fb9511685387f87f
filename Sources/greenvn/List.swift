import ArgumentParser
import Foundation
import GreenVNKit
import GreenVNStore

struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the allocations this operator knows (from the registry; no network).")

    @Option(help: "active, expired (past expiry, not yet seen in the vault) or vault (expired ones count as vault too); all when omitted.")
    var state: String?
    @Option(help: "Only rows whose VN, ids or numbers contain TEXT.") var filter: String = ""
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: OutputOptions

    static let pageSize = 1_000

    func run() throws {
        var query = ListQuery(state: .all, filter: filter, sort: .created, descending: true)
        if let state {
            guard let s = StateFilter(rawValue: state.lowercased()), s != .all || state.lowercased() == "all" else {
                throw GreenVNError.invalid(ValidationFailure([FieldError(.state, "\"\(Text.printable(state, limit: 20))\" is not a state: \(StateFilter.allCases.map(\.rawValue).joined(separator: ", "))")]))
            }
            query.state = s
        }
        let registry = try Session.openRegistry(connection.flags)
        let now = Date()
        if output.json {
            // Every row the registry knows, those without a greenvn_id too (a script that did not
            // see them would think they do not exist). Streams page by page: a million rows never
            // sit in memory at once.
            let out = FileHandle.standardOutput
            out.write(Data("[".utf8))
            var first = true
            var shown = 0
            try forEachPage(registry, query, now) { rows in
                shown += rows.count
                for row in rows {
                    out.write(Data(((first ? "\n" : ",\n") + String(decoding: RowJSON.object(row).serialized(), as: UTF8.self)).utf8))
                    first = false
                }
            }
            out.write(Data((first ? "]\n" : "\n]\n").utf8))
            RunRecord.shared.note("rows", "\(shown)")
            return
        }
        let total = try registry.count(query, now: now)
        RunRecord.shared.note("rows", "\(total)")
        if total == 0 {
            Output.line(filter.isEmpty ? "No allocations yet. Allocate one with `greenvn allocate --a +91… --b +91… --usage twoway` or press n in `greenvn`." : "No allocation matches \"\(Text.printable(filter, limit: 40))\".")
            return
        }
        Output.line(Table.header)
        try forEachPage(registry, query, now) { rows in
            for row in rows { Output.line(Table.row(row, now: now)) }
        }
        let c = try registry.counts(now: now)
        Output.line("\(total) shown · \(c.active) active · \(c.vault) vault\(c.pending > 0 ? " · \(c.pending) pending" : "")")
    }

    private func forEachPage(_ registry: Registry, _ query: ListQuery, _ now: Date, _ body: ([StoredAllocation]) throws -> Void) throws {
        var offset = 0
        while true {
            let rows = try registry.page(query, offset: offset, limit: Self.pageSize, now: now)
            if rows.isEmpty { break }
            try body(rows)
            offset += rows.count
            if rows.count < Self.pageSize { break }
        }
    }
}

/// The plain-text table of `greenvn list`.
enum Table {
    static let widths = [15, 38, 26, 20, 20, 7, 8, 18]
    static let header = cells(["VN", "GREENVN_ID", "CONNECTION_ID", "A-PARTY", "B-PARTY", "USAGE", "STATE", "EXPIRES"])

    static func row(_ s: StoredAllocation, now: Date) -> String {
        let a = s.allocation
        let state: String
        switch s.status {
        case .known: state = s.effectiveState(now: now).rawValue
        case .pending: state = "pending"
        case .idUnknown: state = "id?"
        }
        return cells([a.greenVN.isEmpty ? "—" : a.greenVN, s.status == .known ? a.greenvnId : "—", a.connectionId,
                      a.aparty.summary, a.bparty.summary, a.usage.rawValue, state,
                      s.expiresAt.map { TimeText.relative($0, now: now) } ?? "—"])
    }

    /// Plain Swift, not NSString's padding and trimming: those bridged every cell and made
    /// printing 60,000 rows take seconds.
    static func cells(_ values: [String]) -> String {
        var line = ""
        line.reserveCapacity(200)
        for (i, (v, w)) in zip(values, widths).enumerated() {
            if i > 0 { line.append(" ") }
            let t = Text.printable(v, limit: w)
            let n = t.count
            if n >= w {
                line += t.prefix(w - 1)
                line.append("…")
            } else {
                line += t
                line.append(contentsOf: repeatElement(" ", count: w - n))
            }
        }
        // What `trimmingCharacters(in: .whitespaces)` removed: space separators and tabs.
        func blank(_ c: Character) -> Bool {
            c.unicodeScalars.allSatisfy { $0 == "\t" || $0.properties.generalCategory == .spaceSeparator }
        }
        guard let first = line.firstIndex(where: { !blank($0) }), let last = line.lastIndex(where: { !blank($0) }) else { return "" }
        return String(line[first...last])
    }
}
