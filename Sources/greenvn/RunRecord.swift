import Foundation
import GreenVNKit
import GreenVNStore
import Logging

/// What one command did, written as one line of greenvn.log when it ends: the verb, the ids it
/// touched, the outcome and how long it took. Only ids, VNs, counts and greenvn's own messages
/// go in (never a credential). A run refused before it opened its data dir (bad input) did
/// nothing and leaves no line.
final class RunRecord: @unchecked Sendable {
    static let shared = RunRecord()

    private let lock = NSLock()
    private var fields: [String: String] = [:]

    func note(_ key: String, _ value: String) {
        lock.withLock { fields[key] = Text.printable(value, limit: 200) }
    }

    /// The ids of a registry row (a placeholder has only its connection_id).
    func note(_ s: StoredAllocation?) {
        guard let s else { return }
        note("connection_id", s.connectionId)
        if !s.isPlaceholder {
            note("greenvn_id", s.id)
            note("vn", s.allocation.greenVN)
        }
    }

    func note(error: Error) { note("error", Self.summary(error)) }

    /// Writes the line, if the log was opened (commands that never open their data dir have no log).
    func finish(verb: String, exitCode: Int32, started: ContinuousClock.Instant) {
        guard Logs.done else { return }
        let elapsed = ContinuousClock.now - started
        let ms = Int(elapsed.components.seconds * 1_000) + Int(elapsed.components.attoseconds / 1_000_000_000_000_000)
        let metadata = lock.withLock { fields.mapValues { Logger.MetadataValue.string($0) } }
        let outcome = exitCode == 0 ? "ok" : "exit \(exitCode)"
        Logger(label: "greenvn.cli").info("\(verb) \(outcome) in \(ms) ms", metadata: metadata)
    }

    /// One line: what kind of failure, with its code where Lead Assist gave one.
    static func summary(_ error: Error) -> String {
        guard let e = error as? GreenVNError else { return String(describing: error) }
        switch e {
        case .invalid(let f): return "invalid " + f.errors.map(\.field.rawValue).joined(separator: ",")
        case .refused(let r): return "refused" + (r.code.map { " code \($0)" } ?? "") + " HTTP \(r.httpStatus)"
        case .unavailable(let r): return "unavailable HTTP \(r.httpStatus)"
        default: return String(e.description.prefix { $0 != "\n" })
        }
    }
}
