import ArgumentParser
import Foundation
import GreenVNKit
import GreenVNStore

struct Bulk: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bulk",
        abstract: "Allocate every row of a CSV file (header row of API field names; ';' between numbers).",
        discussion: """
        Required columns: connection_id, aparty_numbers, bparty_numbers, usage.
        Optional: aparty_pins, bparty_pins, region, pin_code, type, duration, flow_id, strictness.
        Every row is validated first; bad rows are reported with their line numbers and never sent.
        A rerun of the same file allocates nothing twice.
        """)

    @Argument(help: "The CSV file.") var file: String
    @Option(help: "Requests in flight at once (1–64).") var concurrency: Int = 8
    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        guard (1...64).contains(concurrency) else {
            throw GreenVNError.invalid(ValidationFailure([FieldError(.concurrency, "\(concurrency) is out of range: 1–64")]))
        }
        guard let data = FileManager.default.contents(atPath: file) else {
            throw GreenVNError.invalid(ValidationFailure([FieldError(.file, "cannot read \(Text.printable(file, limit: 120)): check the path and permissions")]))
        }
        let parsed = BulkImport.parse(csv: data)
        for bad in parsed.invalid {
            for e in bad.errors { Output.error("line \(bad.line): \(e.field.rawValue): \(e.message)") }
        }
        if parsed.rows.isEmpty {
            Output.error("no valid rows in \(Text.printable(file, limit: 120)); nothing was sent")
            throw ExitCode(2)
        }
        let progress = Progress(total: parsed.rows.count, enabled: Output.stderrIsTerminal)
        let report = try await Session.with(connection.flags, connections: .pool) { session in
            await BulkImport.run(rows: parsed.rows, operations: session.operations, concurrency: concurrency) { done, total in
                progress.update(done: done, total: total)
            }
        }
        progress.finish()
        for r in report.refused { Output.error("line \(r.line) (\(r.connectionId)): \(r.message)") }
        for r in report.pending { Output.error("line \(r.line) (\(r.connectionId)): outcome unknown, retried with the same connection_id on the next run: \(r.message)") }
        for r in report.idUnknown { Output.error("line \(r.line) (\(r.connectionId)): allocated, response lost; `greenvn import GREENVN_ID` once you know its id") }
        var summary = "\(report.allocated) allocated, \(report.alreadyKnown) already known, \(report.refused.count) refused, \(parsed.invalid.count) invalid"
        if !report.pending.isEmpty { summary += ", \(report.pending.count) pending" }
        if !report.idUnknown.isEmpty { summary += ", \(report.idUnknown.count) allocated with id unknown" }
        Output.line(summary + " (of \(parsed.rows.count + parsed.invalid.count) rows)")
        RunRecord.shared.note("rows", "\(parsed.rows.count + parsed.invalid.count)")
        RunRecord.shared.note("result", summary)
        // The worst outcome decides: unknown outcomes (3) > refusals (1) > invalid rows (2).
        if !report.pending.isEmpty { throw ExitCode(3) }
        if !report.refused.isEmpty || !report.idUnknown.isEmpty { throw ExitCode(1) }
        if !parsed.invalid.isEmpty { throw ExitCode(2) }
    }
}

/// A one-line progress bar on stderr, redrawn at most 10 times a second.
final class Progress: @unchecked Sendable {
    private let lock = NSLock()
    private let enabled: Bool
    private var lastDraw = Date.distantPast
    private let started = Date()

    init(total: Int, enabled: Bool) { self.enabled = enabled }

    func update(done: Int, total: Int) {
        guard enabled else { return }
        lock.lock(); defer { lock.unlock() }
        let now = Date()
        guard now.timeIntervalSince(lastDraw) > 0.1 || done == total else { return }
        lastDraw = now
        let width = 30
        let filled = total == 0 ? width : width * done / total
        let rate = Double(done) / max(0.001, now.timeIntervalSince(started))
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        FileHandle.standardError.write(Data("\r\(bar) \(done)/\(total)  \(Int(rate))/s ".utf8))
    }

    func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\n".utf8))
    }
}
