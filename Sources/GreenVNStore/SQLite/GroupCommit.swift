import Foundation
import GRDB

/// The result of one `writeAsync` body, handed from the writer queue to the caller.
final class Outcome<T>: @unchecked Sendable {
    var value: Result<T, Error>?
}

/// Group commit: `writeAsync` bodies waiting for the writer run together in one IMMEDIATE
/// transaction, each in its own savepoint (a body that throws is rolled back alone and gets its
/// error), and share one commit: one fsync for a whole group of durable outbox writes instead of
/// one each (a bulk import sends 8–64 creates at once; each must be durable before it is sent).
/// A caller is answered only after the commit, so "written" still means committed; when the
/// commit fails, every body of the group gets that error. A group is durable (synchronous=FULL)
/// when any of its writes asked to be.
final class GroupCommit: @unchecked Sendable {
    struct Job {
        let durable: Bool
        /// Runs the body in a savepoint; true when it succeeded (its changes are to be committed).
        let body: (Database) -> Bool
        /// Called once the group's transaction ended: nil when it committed.
        let finish: (Error?) -> Void
    }

    private let writer: any DatabaseWriter
    private let lock = NSLock()
    private var queue: [Job] = []
    private var scheduled = false
    /// Bounds the latency one group adds to its first write.
    static let maxGroup = 256

    init(writer: any DatabaseWriter) { self.writer = writer }

    func submit(durable: Bool, body: @escaping (Database) -> Bool, finish: @escaping (Error?) -> Void) {
        let schedule: Bool = lock.withLock {
            queue.append(Job(durable: durable, body: body, finish: finish))
            if scheduled { return false }
            scheduled = true
            return true
        }
        if schedule { writer.asyncWriteWithoutTransaction { [self] db in drain(db) } }
    }

    private func drain(_ db: Database) {
        let jobs: [Job] = lock.withLock {
            let n = min(queue.count, Self.maxGroup)
            let taken = Array(queue.prefix(n))
            queue.removeFirst(n)
            return taken
        }
        var commitError: Error?
        if !jobs.isEmpty {
            let durable = jobs.contains { $0.durable }
            do {
                if durable { try db.run("PRAGMA synchronous = FULL") }
                defer { if durable { try? db.run("PRAGMA synchronous = NORMAL") } }
                try db.inTransaction(.immediate) {
                    var any = false
                    for job in jobs where job.body(db) { any = true }
                    guard any else { return .rollback }
                    try db.run("UPDATE change SET n = n + 1 WHERE id = 1")
                    return .commit
                }
            } catch {
                commitError = error
            }
        }
        // Schedule the next group before answering, so writes submitted meanwhile are not stranded.
        let more: Bool = lock.withLock {
            if queue.isEmpty { scheduled = false; return false }
            return true
        }
        if more { writer.asyncWriteWithoutTransaction { [self] db in drain(db) } }
        for job in jobs { job.finish(commitError) }
    }
}
