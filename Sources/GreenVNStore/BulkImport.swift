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

    /// Allocates every row exactly once, as `Operations.allocate` does, with at most
    /// `concurrency` creates in flight, in a pipeline: rows are written to the outbox in batches
    /// (one durable transaction each: every create is on disk before it is sent), sent, and their
    /// answers recorded in batches (one transaction each). Rows whose connection_id the registry
    /// already holds (known or allocated-id-unknown) are skipped as already known.
    /// `progress(done, total)` after each row. `invalid`: parse's invalid rows, carried into the
    /// report.
    public static func run(rows: [(line: Int, request: AllocationRequest)], invalid: [(line: Int, errors: [FieldError])] = [],
                           operations: Operations, concurrency: Int = 8,
                           progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }) async -> BulkReport {
        var report = BulkReport()
        report.invalid = invalid
        let total = rows.count
        let width = max(1, concurrency)
        let batch = min(max(width, 16), maxBatch)
        var done = 0
        var leased = [Bool](repeating: false, count: rows.count)   // in `InFlight`, to remove at the end
        var isRetry = [Bool](repeating: false, count: rows.count)
        var bodies = [Data?](repeating: nil, count: rows.count)

        func finish(_ i: Int, _ result: RowResult) {
            let (line, request) = rows[i]
            switch result {
            case .allocated: report.allocated += 1
            case .alreadyKnown: report.alreadyKnown += 1
            case .refused(let message): report.refused.append((line, request.connectionId, message))
            case .pending(let message): report.pending.append((line, request.connectionId, message))
            case .idUnknown: report.idUnknown.append((line, request.connectionId))
            }
            if leased[i] { InFlight.remove(request.connectionId); leased[i] = false }
            done += 1
            progress(done, total)
        }

        // A SQLite registry checkpoints its WAL less often for the import's length (see there).
        let sqlite = operations.registry as? SQLiteRegistry
        await sqlite?.checkpointEvery(pages: SQLiteRegistry.bulkCheckpointPages)
        await withTaskGroup(of: Step.self) { group in
            var next = 0                     // the next row to write to the outbox
            var ready: [Int] = []            // written, leased, not sent yet (from `readyAt` on)
            var readyAt = 0
            var writing = false              // an outbox batch is being written
            var inFlight = 0
            var answers: [Sent] = []         // sent, not recorded yet
            var recording = false            // a batch of answers is being recorded
            while true {
                // Keep a batch of written rows ahead of the sends, so the fsync is off their path.
                while !writing && next < rows.count && ready.count - readyAt < width {
                    var rowsOut: [Pending] = []
                    while rowsOut.count < batch && next < rows.count {
                        let cid = rows[next].request.connectionId
                        if InFlight.insert(cid) {
                            leased[next] = true
                            rowsOut.append(Pending(index: next, request: rows[next].request))
                        } else {
                            finish(next, result(of: Operations.inFlight(cid, by: nil)))
                        }
                        next += 1
                    }
                    if !rowsOut.isEmpty {
                        writing = true
                        group.addTask { .written(await write(rowsOut, operations: operations)) }
                    }
                }
                while inFlight < width && readyAt < ready.count {
                    let i = ready[readyAt]
                    readyAt += 1
                    inFlight += 1
                    let request = rows[i].request, body = bodies[i], retry = isRetry[i]
                    bodies[i] = nil
                    group.addTask { .sent(Sent(index: i, request: request, isRetry: retry, sent: await operations.send(request, body: body))) }
                }
                if readyAt > 4096 { ready.removeFirst(readyAt); readyAt = 0 }
                if !recording && !answers.isEmpty {
                    recording = true
                    let taken = answers.count > maxBatch ? Array(answers.prefix(maxBatch)) : answers
                    answers.removeFirst(taken.count)
                    group.addTask { .recorded(await record(taken, operations: operations)) }
                }
                guard let step = await group.next() else { break }
                switch step {
                case .written(let written):
                    writing = false
                    for w in written {
                        switch w.result {
                        case .success(.new): bodies[w.index] = w.body; ready.append(w.index)
                        case .success(.retry): bodies[w.index] = w.body; isRetry[w.index] = true; ready.append(w.index)
                        case .success(.known): finish(w.index, .alreadyKnown)
                        case .failure(let e): finish(w.index, result(of: e))
                        }
                    }
                case .sent(let sent):
                    inFlight -= 1
                    answers.append(sent)
                case .recorded(let recorded):
                    recording = false
                    for (i, r) in recorded { finish(i, r) }
                }
            }
        }
        await sqlite?.checkpointEvery(pages: SQLiteRegistry.walCheckpointPages)
        report.invalid.sort { $0.line < $1.line }
        report.refused.sort { $0.line < $1.line }
        report.pending.sort { $0.line < $1.line }
        report.idUnknown.sort { $0.line < $1.line }
        return report
    }

    /// The most rows one outbox or answer transaction holds.
    static let maxBatch = 256

    struct Pending: Sendable {
        let index: Int
        let request: AllocationRequest
    }

    struct Written: Sendable {
        let index: Int
        let result: Result<Operations.Enqueued, GreenVNError>
        /// The create body, exactly as written to the outbox: what is sent.
        let body: Data
    }

    struct Sent: Sendable {
        let index: Int
        let request: AllocationRequest
        let isRetry: Bool
        let sent: Operations.Sent
    }

    enum Step: Sendable {
        case written([Written])
        case sent(Sent)
        case recorded([(Int, RowResult)])
    }

    /// Writes a batch of creates to the outbox in one durable transaction (each leased to this
    /// process, or found already held). A row that must not be sent fails alone (before it wrote
    /// anything); when the transaction itself fails, each row is written on its own, as a
    /// single `allocate` would.
    static func write(_ batch: [Pending], operations: Operations) async -> [Written] {
        let bodies = batch.map { Wire.body($0.request) }
        let texts = bodies.map { String(decoding: $0, as: UTF8.self) }
        let at = operations.now()
        do {
            let results = try await operations.registry.write(durable: true) { tx in
                try tx.db.lock(batch.map(\.request.connectionId).sorted())
                var out: [Result<Operations.Enqueued, GreenVNError>] = []
                out.reserveCapacity(batch.count)
                for (k, p) in batch.enumerated() {
                    do {
                        out.append(.success(try Operations.enqueue(p.request, text: texts[k], in: tx, now: at, anyHeld: true)))
                    } catch let e as GreenVNError {
                        out.append(.failure(e))
                    }
                }
                return out
            }
            return batch.indices.map { Written(index: batch[$0].index, result: results[$0], body: bodies[$0]) }
        } catch {
            var out: [Written] = []
            for (k, p) in batch.enumerated() {
                let text = texts[k], r = p.request
                let result: Result<Operations.Enqueued, GreenVNError>
                do {
                    result = .success(try await operations.registry.write(durable: true) { tx in
                        try tx.db.lock([r.connectionId])
                        return try Operations.enqueue(r, text: text, in: tx, now: at, anyHeld: true)
                    })
                } catch let e as GreenVNError {
                    result = .failure(e)
                } catch {
                    result = .failure(Operations.unrecordedRequest(error))
                }
                out.append(Written(index: p.index, result: result, body: bodies[k]))
            }
            return out
        }
    }

    /// Records a batch of sends' outcomes in one transaction; when it fails (one row's record
    /// failed), each row is recorded on its own, as a single `allocate` would: the others settle.
    static func record(_ batch: [Sent], operations: Operations) async -> [(Int, RowResult)] {
        let at = operations.now()
        do {
            let outcomes = try await operations.registry.write { tx in
                try batch.map { try Operations.settle($0.request, $0.sent, isRetry: $0.isRetry, in: tx, now: at) }
            }
            return batch.indices.map { (batch[$0].index, result(of: outcomes[$0])) }
        } catch {
            var out: [(Int, RowResult)] = []
            for s in batch {
                out.append((s.index, result(of: await operations.record(s.request, s.sent, isRetry: s.isRetry))))
            }
            return out
        }
    }

    static func result(of outcome: Operations.Outcome) -> RowResult {
        switch outcome {
        case .allocated: return .allocated
        case .idUnknown: return .idUnknown
        case .refused(let e), .unrecorded(let e): return result(of: e)
        case .unknown(let e): return result(of: e)
        }
    }

    /// A row's failure as `allocate` throws it, for the report.
    static func result(of error: Error) -> RowResult {
        guard let e = error as? GreenVNError else { return .pending(AuditLog.outcome(of: error)) }
        switch Operations.classify(e, isRetry: false) {
        case .landed: return .idUnknown
        case .refused: return .refused(e.description)
        case .unknown: return .pending(e.description)
        }
    }

    /// Parses and runs in one go.
    public static func run(csv: Data, operations: Operations, concurrency: Int = 8,
                           progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }) async -> BulkReport {
        let (rows, invalid) = parse(csv: csv)
        return await run(rows: rows, invalid: invalid, operations: operations, concurrency: concurrency, progress: progress)
    }

    enum RowResult: Sendable { case allocated, alreadyKnown, refused(String), pending(String), idUnknown }
}
