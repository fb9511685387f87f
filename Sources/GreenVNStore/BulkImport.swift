import Foundation
import GreenVNKit

public struct BulkReport: Sendable {
    public var allocated: Int = 0
    /// Skipped: the registry already knows their connection_id (a rerun allocates nothing twice).
    public var alreadyKnown: Int = 0
    public var refused: [(line: Int, connectionId: String, message: String)] = []
    public var invalid: [(line: Int, errors: [FieldError])] = []
    /// Outcome unknown (no answer after every retry): kept in the outbox, `reconcile()` re-sends.
    public var pending: [(line: Int, connectionId: String, message: String)] = []
    /// Allocated, answer lost: id_unknown rows (`greenvn import ID` once the id is found).
    public var idUnknown: [(line: Int, connectionId: String)] = []

    public init() {}

    /// Rows sent or skipped (invalid rows not counted).
    public var processed: Int { allocated + alreadyKnown + refused.count + pending.count + idUnknown.count }
}

/// `greenvn bulk FILE.csv`: a header row of API field names, one allocation per row, `;` between
/// several numbers or pins in a cell. Every row is validated before anything is sent.
public enum BulkImport {
    public enum Column: String, CaseIterable, Sendable {
        case connectionId = "connection_id", apartyNumbers = "aparty_numbers", bpartyNumbers = "bparty_numbers",
             usage, apartyPins = "aparty_pins", bpartyPins = "bparty_pins", region, pinCode = "pin_code",
             type, duration, flowId = "flow_id", strictness, greenvn

        public static let required: [Column] = [.connectionId, .apartyNumbers, .bpartyNumbers, .usage]
        /// Other spellings accepted in the header.
        static let aliases: [String: Column] = ["number_type": .type, "green_vn": .greenvn]

        var field: Field {
            switch self {
            case .connectionId: return .connectionId
            case .apartyNumbers: return .apartyNumbers
            case .bpartyNumbers: return .bpartyNumbers
            case .usage: return .usage
            case .apartyPins: return .apartyPins
            case .bpartyPins: return .bpartyPins
            case .region: return .region
            case .pinCode: return .pinCode
            case .type: return .type
            case .duration: return .duration
            case .flowId: return .flowId
            case .strictness: return .strictness
            case .greenvn: return .greenvn
            }
        }
    }

    /// Valid rows (validated once, here: the requests to send) and invalid ones with every
    /// error and their line. A header problem (unknown, repeated or missing column; empty file)
    /// is reported on the header's line, and then no row is returned.
    public static func parse(csv: Data) -> (rows: [(line: Int, request: AllocationRequest)], invalid: [(line: Int, errors: [FieldError])]) {
        let records = CSVReader.records(csv)
        guard let header = records.first else {
            return ([], [(1, [FieldError(.connectionId, "the file is empty: the first row must name the columns, e.g. \(Column.required.map(\.rawValue).joined(separator: ","))", kind: .missing)])])
        }
        let (columns, headerErrors) = readHeader(header)
        if !headerErrors.isEmpty { return ([], [(header.line, headerErrors)]) }

        var rows: [(line: Int, request: AllocationRequest)] = []
        var invalid: [(line: Int, errors: [FieldError])] = []
        var firstLine: [String: Int] = [:]
        for record in records.dropFirst() {
            var (draft, errors) = draftFrom(record, columns: columns)
            if !draft.connectionId.isEmpty {
                if let first = firstLine[draft.connectionId] {
                    errors.append(FieldError(.connectionId, "connection_id \(Text.printable(draft.connectionId, limit: 64)) is already on line \(first): each row needs its own", kind: .duplicate))
                } else {
                    firstLine[draft.connectionId] = record.line
                }
            }
            switch draft.validate() {
            case .success(let (request, _)) where errors.isEmpty: rows.append((record.line, request))
            case .success: invalid.append((record.line, errors))
            case .failure(let f): invalid.append((record.line, errors + f.errors))
            }
        }
        return (rows, invalid)
    }

    static func readHeader(_ header: CSVRecord) -> ([Column?], [FieldError]) {
        var columns: [Column?] = []
        var errors: [FieldError] = []
        for (i, raw) in header.fields.enumerated() {
            let name = raw.trimmingCharacters(in: .whitespaces).lowercased()
            if name.isEmpty, i == header.fields.count - 1, i > 0 { columns.append(nil); continue }   // a trailing comma
            guard let c = Column(rawValue: name) ?? Column.aliases[name] else {
                let known = Column.allCases.map(\.rawValue).joined(separator: ", ")
                errors.append(FieldError(nearest(name), "unknown column \"\(Text.printable(raw, limit: 40))\" in the header (column \(i + 1)); columns are API field names: \(known)"))
                columns.append(nil)
                continue
            }
            if columns.contains(c) {
                errors.append(FieldError(c.field, "column \(c.rawValue) appears twice in the header", kind: .duplicate))
            }
            columns.append(c)
        }
        for c in Column.required where !columns.contains(c) {
            errors.append(FieldError(c.field, "the header has no \(c.rawValue) column: it is required", kind: .missing))
        }
        return (columns, errors)
    }

    /// The API field whose name is closest to an unknown column name (errors need a field).
    private static func nearest(_ name: String) -> Field {
        func distance(_ a: String, _ b: String) -> Int {
            let a = Array(a), b = Array(b)
            if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
            var prev = Array(0...b.count)
            for i in 1...a.count {
                var cur = [i] + Array(repeating: 0, count: b.count)
                for j in 1...b.count {
                    cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
                }
                prev = cur
            }
            return prev[b.count]
        }
        let best = Column.allCases.min { distance(name, $0.rawValue) < distance(name, $1.rawValue) }!
        return best.field
    }

    static func draftFrom(_ record: CSVRecord, columns: [Column?]) -> (AllocationDraft, [FieldError]) {
        var d = AllocationDraft()
        var errors: [FieldError] = []
        if record.unterminatedQuote {
            errors.append(FieldError(columns.last.flatMap { $0 }?.field ?? .connectionId, "a quoted field is never closed: the file ends inside quotes"))
        }
        for index in record.invalidUTF8Fields {
            let column = index < columns.count ? columns[index] : nil
            errors.append(FieldError(column?.field ?? .connectionId, "is not valid UTF-8 text (column \(index + 1)): save the file as UTF-8"))
        }
        let extra = record.fields.dropFirst(columns.count).filter { !Text.trimmed($0).isEmpty }
        if !extra.isEmpty {
            errors.append(FieldError(columns.last.flatMap { $0 }?.field ?? .connectionId,
                                     "the row has \(record.fields.count) fields but the header names \(columns.count) columns (an unquoted comma?)"))
        }
        func list(_ s: String) -> [String] {
            s.split(separator: ";").map { Text.trimmed(String($0)) }.filter { !$0.isEmpty }
        }
        for (index, column) in columns.enumerated() {
            guard let column else { continue }
            let value = index < record.fields.count ? record.fields[index] : ""
            let trimmed = Text.trimmed(value)
            switch column {
            case .connectionId: d.connectionId = trimmed
            case .apartyNumbers: d.aparty.numbers = list(value)
            case .bpartyNumbers: d.bparty.numbers = list(value)
            case .usage: d.usage = trimmed
            case .apartyPins: d.aparty.pins = list(value)
            case .bpartyPins: d.bparty.pins = list(value)
            case .region: d.region = trimmed
            case .pinCode: d.pinCode = trimmed
            case .type: d.type = trimmed
            case .duration: d.duration = trimmed
            case .flowId: d.flowId = trimmed
            case .greenvn: d.greenvn = trimmed
            case .strictness:
                switch trimmed.lowercased() {
                case "", "false", "0", "no": d.strictness = false
                case "true", "1", "yes": d.strictness = true
                default: errors.append(FieldError(.strictness, "\"\(Text.printable(trimmed, limit: 24))\" is not true or false"))
                }
            }
        }
        return (d, errors)
    }

    /// Allocates every row through `Operations.allocate` (outbox, exactly once) with at most
    /// `concurrency` in flight. Rows whose connection_id the registry already holds (known or
    /// allocated-id-unknown) are skipped as already known. `progress(done, total)` after each row.
    /// `invalid`: parse's invalid rows, carried into the report.
    public static func run(rows: [(line: Int, request: AllocationRequest)], invalid: [(line: Int, errors: [FieldError])] = [],
                           operations: Operations, concurrency: Int = 8,
                           progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }) async -> BulkReport {
        var report = BulkReport()
        report.invalid = invalid
        let total = rows.count
        var done = 0
        await withTaskGroup(of: (Int, String, RowResult).self) { group in
            var next = 0
            func add() {
                let (line, request) = rows[next]
                next += 1
                group.addTask { (line, request.connectionId, await one(request, operations: operations)) }
            }
            while next < rows.count && next < max(1, concurrency) { add() }
            while let (line, cid, result) = await group.next() {
                switch result {
                case .allocated: report.allocated += 1
                case .alreadyKnown: report.alreadyKnown += 1
                case .refused(let message): report.refused.append((line, cid, message))
                case .pending(let message): report.pending.append((line, cid, message))
                case .idUnknown: report.idUnknown.append((line, cid))
                }
                done += 1
                progress(done, total)
                if next < rows.count { add() }
            }
        }
        report.invalid.sort { $0.line < $1.line }
        report.refused.sort { $0.line < $1.line }
        report.pending.sort { $0.line < $1.line }
        report.idUnknown.sort { $0.line < $1.line }
        return report
    }

    /// Parses and runs in one go.
    public static func run(csv: Data, operations: Operations, concurrency: Int = 8,
                           progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }) async -> BulkReport {
        let (rows, invalid) = parse(csv: csv)
        return await run(rows: rows, invalid: invalid, operations: operations, concurrency: concurrency, progress: progress)
    }

    enum RowResult: Sendable { case allocated, alreadyKnown, refused(String), pending(String), idUnknown }

    static func one(_ request: AllocationRequest, operations: Operations) async -> RowResult {
        let cid = request.connectionId
        if let s = try? await operations.registry.read({ try $0.allocation(connectionId: cid) }),
           s.status != .pending {
            return .alreadyKnown
        }
        do {
            _ = try await operations.allocate(request)
            return .allocated
        } catch let e as GreenVNError {
            switch Operations.classify(e, isRetry: false) {
            case .landed: return .idUnknown
            case .refused: return .refused(e.description)
            case .unknown: return .pending(e.description)
            }
        } catch {
            return .pending(AuditLog.outcome(of: error))
        }
    }
}
