import Foundation
import Testing
@testable import GreenVNApp
import GreenVNKit
import GreenVNStore
import TerminalKit

/// A fixed clock so countdowns and timestamps never move: 2025-01-15 14:00:00 UTC.
let now = Date(timeIntervalSince1970: 1_736_949_600)
let utc = TimeZone(identifier: "UTC")!

func allocation(_ id: String, vn: String, conn: String, a: [String], b: [String], aPins: [Int] = [], usage: Usage = .twoway,
                state: AllocationState = .active, status: RecordStatus = .known, prefs: Preferences = Preferences(),
                strict: Bool = false, duration: String? = nil, created: TimeInterval, expires: TimeInterval?, flow: String? = nil,
                released: TimeInterval? = nil, releasedBy: String? = nil) -> StoredAllocation {
    StoredAllocation(
        allocation: Allocation(greenvnId: id, connectionId: conn, aparty: Party(a, pins: aPins), bparty: Party(b),
                               usage: usage, state: state, greenVN: vn, flowId: flow),
        preferences: prefs, strictness: strict, durationText: duration,
        createdAt: now.addingTimeInterval(created), updatedAt: now.addingTimeInterval(created),
        lastSyncedAt: status == .known ? now.addingTimeInterval(created) : nil,
        expiresAt: expires.map { now.addingTimeInterval($0) }, status: status,
        releasedAt: released.map { now.addingTimeInterval($0) }, releasedBy: releasedBy)
}

/// Six allocations covering every look a row can have.
let sample: [StoredAllocation] = [
    allocation("6c1f0d2e-8b7a-4f1e-9c3d-2a5b7e9f1a01", vn: "+918047112233", conn: "gvn-3f9a1c2b7d10",
               a: ["+919876543210", "+919876543211"], b: ["+918765432109"], aPins: [1234],
               prefs: Preferences(region: .KA, type: .mobile), duration: "2h", created: -30, expires: 7_170, flow: "flow-sales"),
    allocation("0b7e4c1a-3d2f-4a6b-8e9c-1f2a3b4c5d02", vn: "+918047112244", conn: "order-1001",
               a: ["+919812345678"], b: ["+919898989898", "+917012345678", "+916123456789"], usage: .oneway,
               created: -3_600, expires: 82_800),
    allocation("pending:gvn-77aa00bb11cc", vn: "", conn: "gvn-77aa00bb11cc", a: ["+919000000001"], b: ["+919000000002"],
               status: .pending, created: -120, expires: 86_280),
    allocation("pending:crm-lead-42", vn: "", conn: "crm-lead-42", a: ["+919000000003"], b: ["+919000000004"],
               status: .idUnknown, created: -7_200, expires: 79_200),
    allocation("9d8c7b6a-5e4f-4d3c-2b1a-0f9e8d7c6b03", vn: "+918047119999", conn: "gvn-vaulted0001",
               a: ["+919111111111"], b: ["+919222222222"], state: .vault, duration: "2d", created: -90_000,
               expires: 82_800, released: -5_400, releasedBy: "asha on ops-3"),   // deallocated with 23h left
    allocation("1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c04", vn: "+918047115555", conn: "gvn-expired0002",
               a: ["+919333333333"], b: ["+919444444444"], created: -86_700, expires: -300),
]

let sampleHistory: [String: [VNChange]] = [
    sample[4].id: [
        VNChange(greenvnId: sample[4].id, oldVN: nil, newVN: "+918047119999", at: now.addingTimeInterval(-90_000), how: "allocate"),
        VNChange(greenvnId: sample[4].id, oldVN: "+918047119999", newVN: "", at: now.addingTimeInterval(-5_400), how: "released (deallocate)"),
    ],
    sample[0].id: [
        VNChange(greenvnId: sample[0].id, oldVN: nil, newVN: "+918047110000", at: now.addingTimeInterval(-30), how: "allocate"),
        VNChange(greenvnId: sample[0].id, oldVN: "+918047110000", newVN: "+918047112233", at: now.addingTimeInterval(-10), how: "swap"),
    ],
]
let sampleAudit: [String: [AuditEntry]] = [
    sample[0].id: [
        AuditEntry(at: now.addingTimeInterval(-30), operatorName: "asha", host: "ops-3", action: "allocate", target: sample[0].id, outcome: "ok"),
        AuditEntry(at: now.addingTimeInterval(-10), operatorName: "asha", host: "ops-3", action: "swap", target: sample[0].id, outcome: "ok"),
    ],
]

/// An in-memory registry with the store's semantics: tabs by effective state, substring
/// filter, sort with ties in insertion order, and a count of index(of:) calls.
final class FakeRegistry: RegistryReading, @unchecked Sendable {
    var rows: [StoredAllocation]
    var histories: [String: [VNChange]]
    var audits: [String: [AuditEntry]]
    var indexCalls = 0
    init(_ rows: [StoredAllocation], histories: [String: [VNChange]] = sampleHistory, audits: [String: [AuditEntry]] = sampleAudit) {
        self.rows = rows
        self.histories = histories
        self.audits = audits
    }

    func matching(_ q: ListQuery, now: Date) -> [StoredAllocation] {
        let term = q.filter.trimmingCharacters(in: .whitespaces).lowercased()
        let kept = rows.enumerated().filter { _, r in
            let st = r.effectiveState(now: now)
            switch q.state {
            case .active: if st != .active { return false }
            case .expired: if st != .expired { return false }
            case .vault: if st == .active { return false }
            case .all: break
            }
            guard !term.isEmpty else { return true }
            let a = r.allocation
            return ([a.greenVN, a.greenvnId, a.connectionId] + a.aparty.numbers + a.bparty.numbers).joined(separator: " ").lowercased().contains(term)
        }
        func key(_ r: StoredAllocation) -> String {
            switch q.sort {
            case .vn: return r.allocation.greenVN
            case .connectionId: return r.allocation.connectionId
            case .aparty: return r.allocation.aparty.numbers.first ?? ""
            case .bparty: return r.allocation.bparty.numbers.first ?? ""
            case .usage: return r.allocation.usage.rawValue
            case .state: return r.allocation.state.rawValue
            case .expires: return String(format: "%015.0f", r.expiresAt?.timeIntervalSince1970 ?? 0)
            case .created: return String(format: "%015.0f", r.createdAt.timeIntervalSince1970)
            }
        }
        return kept.sorted { x, y in
            let (kx, ky) = (key(x.element), key(y.element))
            if kx != ky { return q.descending ? kx > ky : kx < ky }
            return q.descending ? x.offset > y.offset : x.offset < y.offset
        }.map(\.element)
    }

    func page(_ q: ListQuery, offset: Int, limit: Int, now: Date) throws -> [StoredAllocation] {
        Array(matching(q, now: now).dropFirst(offset).prefix(limit))
    }
    func count(_ q: ListQuery, now: Date) throws -> Int { matching(q, now: now).count }
    func count(_ q: ListQuery, upTo limit: Int, now: Date) throws -> Int { min(limit, try count(q, now: now)) }
    func counts(now: Date) throws -> TabCounts {
        TabCounts(active: try count(ListQuery(state: .active), now: now), expired: try count(ListQuery(state: .expired), now: now),
                  vault: try count(ListQuery(state: .vault), now: now), pending: rows.filter { $0.status == .pending }.count)
    }
    func followIndex(of id: String, in q: ListQuery, now: Date) throws -> Int? { try index(of: id, in: q, now: now) }
    func index(of id: String, in q: ListQuery, now: Date) throws -> Int? {
        indexCalls += 1
        return matching(q, now: now).firstIndex { $0.id == id }
    }
    func history(of id: String) throws -> [VNChange] { histories[id] ?? [] }
    func audit(for id: String, limit: Int) throws -> [AuditEntry] { Array((audits[id] ?? []).reversed().prefix(limit)) }
    var callRecords: [String: [CallRecord]] = [:]
    func calls(of id: String, limit: Int) throws -> [CallRecord] { Array((callRecords[id] ?? []).prefix(limit)) }
}

/// Jobs answered by the test (they are recorded, never run) unless `answer` says otherwise.
final class FakeOperations: AllocationOperations, @unchecked Sendable {
    var answer: (@Sendable (Job) -> OperationOutcome)?
    func perform(_ job: Job) async -> OperationOutcome {
        answer?(job) ?? .failure(message: "no answer in this test", error: nil)
    }
    func reconcile() async -> ReconcileSummary { ReconcileSummary() }
}

/// The console as the operator runs it — `update` and the EffectRuntime through a
/// ConsoleDriver — with the registry read from a FakeRegistry at once; jobs, copies and quits
/// are recorded for the test to answer.
struct Harness {
    let driver: ConsoleDriver
    let registry: FakeRegistry
    let leadAssist = FakeOperations()
    private let recorded = Recorded()
    /// What the terminal does with copies.
    let clipboard = ClipboardBox()

    var state: AppState {
        get { driver.state }
        nonmutating set { driver.state = newValue }
    }
    var effects: [Effect] {
        get { recorded.effects }
        nonmutating set { recorded.effects = newValue }
    }

    init(_ rows: [StoredAllocation] = sample, width: Int = 120, height: Int = 36, readOnly: Bool = false,
         simulator: Bool = true, start: Bool = true) {
        registry = FakeRegistry(rows)
        let clock = StateClock()
        let clipboard = self.clipboard
        let services = ConsoleServices(reader: registry, operations: leadAssist,
                                       clipboard: { _ in clipboard.report }, clock: { clock.now })
        let initial = AppState(target: TargetInfo(isSimulator: simulator, accountSID: "exotel-acme-1", host: "leadassist.exotel.in"),
                               readOnly: readOnly, now: now, timeZone: utc, idSeed: 42)
        driver = ConsoleDriver(state: initial, services: services)
        clock.driver = driver
        let recorded = self.recorded
        driver.onEffects = { recorded.effects += $0 }
        send(.resize(width: width, height: height))
        if start { send(.start) }
        effects = []
    }

    func send(_ action: Action) {
        driver.send(action)
        driver.drain()
    }

    func press(_ keys: Key...) { for k in keys { send(.key(k)) } }
    func type(_ text: String) { for c in text { send(.key(.char(c))) } }

    /// Runs the jobs started so far through `leadAssist.answer` and feeds back their answers.
    func finishJobs() async {
        await driver.finishJobs()
        driver.drain()
    }

    /// Effects since the last call, registry reads left out.
    func takeEffects() -> [Effect] {
        defer { effects = [] }
        return effects.filter {
            switch $0 {
            case .loadPage, .loadDetail: return false
            default: return true
            }
        }
    }

    var lastTicket: Int? {
        effects.compactMap { if case .perform(let t, _) = $0 { return t } else { return nil } }.last
    }

    var operations: [Job] {
        effects.compactMap { if case .perform(_, let op) = $0 { return op } else { return nil } }
    }

    func frame(width: Int? = nil, height: Int? = nil) -> [String] {
        driver.render(width: width, height: height).lines()
    }

    func screen() -> String { frame().joined(separator: "\n") }

    final class Recorded: @unchecked Sendable { var effects: [Effect] = [] }
    final class StateClock: @unchecked Sendable {
        weak var driver: ConsoleDriver?
        var now: Date { driver?.state.now ?? GreenVNAppTests.now }
    }
    final class ClipboardBox: @unchecked Sendable { var report = ClipboardReport.copied(via: "test terminal") }
}

/// Compares a rendered frame with Tests/GreenVNAppTests/__Snapshots__/NAME.WxH.txt (its text)
/// and NAME.WxH.style.txt (the style of every cell as a letter, with a legend), so colour,
/// bold and reverse-video regressions fail like text ones. SNAPSHOT_RECORD=1 rewrites both;
/// a missing file is written and the test fails.
func assertSnapshot(_ name: String, _ state: AppState, width: Int, height: Int, sourceLocation: SourceLocation = #_sourceLocation) {
    var s = state
    _ = update(&s, .resize(width: width, height: height))
    var canvas = Canvas(width: width, height: height)
    render(s, into: &canvas)
    let text = canvas.lines().joined(separator: "\n") + "\n"
    compareSnapshot(file: "\(name).\(width)x\(height).txt", actual: text, sourceLocation: sourceLocation)
    compareSnapshot(file: "\(name).\(width)x\(height).style.txt", actual: styleMap(canvas), sourceLocation: sourceLocation)
}

/// One letter per cell for its style (a space for the plain style), trailing spaces trimmed,
/// under a legend naming each letter's colours and attributes in order of first appearance.
func styleMap(_ canvas: Canvas) -> String {
    let letters = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
    var assigned: [Style: Character] = [.plain: " "]
    var legend: [String] = []
    var grid: [String] = []
    for y in 0..<canvas.height {
        var line = ""
        for x in 0..<canvas.width {
            let style = canvas[x, y].style
            if assigned[style] == nil {
                let letter = legend.count < letters.count ? letters[legend.count] : "?"
                assigned[style] = letter
                legend.append("\(letter) \(describe(style))")
            }
            line.append(assigned[style]!)
        }
        while line.last == " " { line.removeLast() }
        grid.append(line)
    }
    return (legend + ["--"] + grid).joined(separator: "\n") + "\n"
}

/// "fg:cyan bold reverse": what a style draws.
func describe(_ style: Style) -> String {
    var parts: [String] = []
    if style.fg != .default { parts.append("fg:\(style.fg)") }
    if style.bg != .default { parts.append("bg:\(style.bg)") }
    if style.bold { parts.append("bold") }
    if style.dim { parts.append("dim") }
    if style.reverse { parts.append("reverse") }
    if style.underline { parts.append("underline") }
    return parts.isEmpty ? "plain" : parts.joined(separator: " ")
}

private func compareSnapshot(file name: String, actual: String, sourceLocation: SourceLocation) {
    let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("__Snapshots__")
    let file = dir.appendingPathComponent(name)
    let record = ProcessInfo.processInfo.environment["SNAPSHOT_RECORD"] == "1"
    guard !record, let expected = try? String(contentsOf: file, encoding: .utf8) else {
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try? actual.write(to: file, atomically: true, encoding: .utf8)
        if !record { Issue.record("Recorded a new snapshot \(name); check it and run again", sourceLocation: sourceLocation) }
        return
    }
    guard expected != actual else { return }
    func framed(_ s: String) -> String { s.split(separator: "\n", omittingEmptySubsequences: false).map { "│" + $0 }.joined(separator: "\n") }
    // Both frames go to stdout: the test log keeps long multi-line text intact there.
    print("Snapshot \(name) differs.\n--- expected\n\(framed(expected))\n--- actual\n\(framed(actual))")
    let firstDiff = zip(expected.split(separator: "\n", omittingEmptySubsequences: false),
                        actual.split(separator: "\n", omittingEmptySubsequences: false)).enumerated().first { $0.element.0 != $0.element.1 }
    let at = firstDiff.map { " first at line \($0.offset + 1): expected \"\($0.element.0)\", got \"\($0.element.1)\"" } ?? ""
    Issue.record(Comment(rawValue: "Snapshot \(name) differs (both printed above)" + at), sourceLocation: sourceLocation)
}
