import Foundation
import GRDB

/// The simulator's transactions, grouped: bodies waiting for the writer run together in one
/// IMMEDIATE transaction, each in its own savepoint (one that throws is rolled back alone and
/// gets its error), after one expiry sweep for the whole group. Under a bulk import's 32–64
/// concurrent creates this is one BEGIN/COMMIT, one sweep and one `data_version` check per
/// group instead of per create. A body's caller is answered after the commit; when the commit
/// fails every body of the group gets that error.
final class TransactionGroup: @unchecked Sendable {
    struct Job {
        /// Runs the body in a savepoint at the group's simulated time.
        let body: (Database, Int) -> Void
        /// Called once the group's transaction ended: nil when it committed.
        let finish: (Error?) -> Void
    }

    private let writer: any DatabaseWriter
    /// Runs the group inside its transaction (the sweep, then the jobs); returns what to do after
    /// the commit (the expiry webhooks).
    private let run: (Database, [Job]) throws -> () -> Void
    private let lock = NSLock()
    private var queue: [Job] = []
    private var scheduled = false
    /// Bounds the latency one group adds to its first body.
    static let maxGroup = 128

    init(writer: any DatabaseWriter, run: @escaping (Database, [Job]) throws -> () -> Void) {
        self.writer = writer
        self.run = run
    }

    func submit(_ job: Job) {
        let schedule: Bool = lock.withLock {
            queue.append(job)
            if scheduled { return false }
            scheduled = true
            return true
        }
        if schedule { writer.asyncWriteWithoutTransaction { [self] db in drain(db) } }
    }

    private func drain(_ db: Database) {
        let jobs: [Job] = lock.withLock {
            let n = min(queue.count, Self.maxGroup)
            defer { queue.removeFirst(n) }
            return Array(queue.prefix(n))
        }
        var commitError: Error?
        var after: () -> Void = {}
        do { after = try run(db, jobs) } catch { commitError = error }
        // The next group is scheduled before answering, so bodies submitted meanwhile are not stranded.
        let more: Bool = lock.withLock {
            if queue.isEmpty { scheduled = false; return false }
            return true
        }
        if more { writer.asyncWriteWithoutTransaction { [self] db in drain(db) } }
        after()
        for job in jobs { job.finish(commitError) }
    }
}

/// One body's result, handed from the writer's queue to its caller.
final class JobResult<T>: @unchecked Sendable {
    var value: Result<T, Error>?
}
