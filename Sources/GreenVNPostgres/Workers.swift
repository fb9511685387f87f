import Foundation

/// The backend's own threads (GRDB has its queues; this is the PostgreSQL side's counterpart):
/// `read` and `write` hop here, so waiting for the server never blocks Swift's cooperative pool.
/// Each thread owns one connection, opened on first use and closed after a quiet spell (an idle
/// console holds no writer connections on the team's server).
final class Workers: @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [(Worker) -> Void] = []
    private var stopped = false
    private let idleSeconds: Double

    init(count: Int, config: PGConfig, name: String) {
        idleSeconds = config.options.idleSeconds
        for i in 0..<max(1, count) {
            let worker = Worker(config: config, purpose: name)
            let t = Thread { [self] in self.loop(worker) }
            t.name = "greenvn.registry.\(name).\(i)"
            t.stackSize = 1 << 20
            t.start()
        }
    }

    func submit(_ job: @escaping (Worker) -> Void) {
        condition.lock()
        if stopped {
            condition.unlock()
            job(Worker.closed)
            return
        }
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Ends the threads once the queued jobs have run; their connections close.
    func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    private func loop(_ worker: Worker) {
        while true {
            condition.lock()
            while jobs.isEmpty && !stopped {
                if !condition.wait(until: Date().addingTimeInterval(idleSeconds)) && jobs.isEmpty {
                    condition.unlock()
                    worker.closeConnection()
                    condition.lock()
                }
            }
            if jobs.isEmpty && stopped {
                condition.unlock()
                worker.closeConnection()
                return
            }
            let job = jobs.removeFirst()
            condition.unlock()
            job(worker)
        }
    }
}

/// One thread's connection.
final class Worker: @unchecked Sendable {
    private let config: PGConfig?
    private let purpose: String
    private var connection: PGConnection?

    init(config: PGConfig?, purpose: String) {
        self.config = config
        self.purpose = purpose
    }

    /// Stands in for a worker once the registry is closed: every job fails.
    static let closed = Worker(config: nil, purpose: "closed")

    /// The thread's connection, made again if it is gone.
    func use() throws -> PGConnection {
        if let c = connection, c.isUsable { return c }
        connection?.close()
        connection = nil
        guard let config else { throw ConnectionLost(why: "the registry handle is closed") }
        let c = try PGConnection.connect(config, purpose: purpose)
        connection = c
        return c
    }

    func closeConnection() {
        connection?.close()
        connection = nil
    }
}
