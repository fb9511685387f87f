import Foundation

/// Connections for the synchronous reads, which run on the caller's thread (the console's read
/// queue, the CLI's main thread): a thread takes an idle one (or opens one, up to `limit`),
/// blocks on its answers with `EventLoopFuture.wait()` — the fastest round trip measured, with
/// no hop through Swift concurrency — and gives it back.
final class Readers: @unchecked Sendable {
    private let config: PGConfig
    private let limit: Int
    private let condition = NSCondition()
    private var idle: [PGConnection] = []
    private var open = 0
    private var closed = false

    init(config: PGConfig, limit: Int, first: PGConnection? = nil) {
        self.config = config
        self.limit = max(1, limit)
        if let first {
            idle = [first]
            open = 1
        }
    }

    /// Runs `body` on a connection of this pool.
    func with<T>(_ body: (PGConnection) throws -> T) throws -> T {
        let c = try take()
        defer { give(c) }
        return try body(c)
    }

    private func take() throws -> PGConnection {
        condition.lock()
        while true {
            if closed {
                condition.unlock()
                throw ConnectionLost(why: "the registry handle is closed")
            }
            if let c = idle.popLast() {
                condition.unlock()
                if c.isUsable { return c }
                c.close()
                condition.lock()
                open -= 1
                continue
            }
            if open < limit {
                open += 1
                condition.unlock()
                do {
                    return try PGConnection.connect(config, purpose: "reader")
                } catch {
                    condition.lock()
                    open -= 1
                    condition.signal()
                    condition.unlock()
                    throw error
                }
            }
            condition.wait()
        }
    }

    private func give(_ c: PGConnection) {
        condition.lock()
        if closed || !c.isUsable {
            open -= 1
            c.close()
        } else {
            idle.append(c)
        }
        condition.signal()
        condition.unlock()
    }

    func close() {
        condition.lock()
        closed = true
        for c in idle { c.close() }
        idle = []
        condition.broadcast()
        condition.unlock()
    }
}
