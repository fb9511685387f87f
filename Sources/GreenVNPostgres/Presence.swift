import Foundation
import GreenVNStore
import Logging

/// This process's presence on the team database: a session advisory lock on its random token,
/// held on a connection of its own for the registry's whole life. The server drops it the
/// moment the process dies (its socket closes), so an outbox lease naming the token is alive
/// exactly while its holder is. A process that lost the connection sends nothing new until it
/// holds the lock again (`ensureHeld`, checked by every write).
final class Presence: @unchecked Sendable {
    let token: Int64
    private let config: PGConfig
    private let lock = NSLock()
    private var connection: PGConnection?
    private var closed = false

    /// Connects and takes a token nobody holds.
    init(_ config: PGConfig) throws {
        self.config = config
        let c = try PGConnection.connect(config, purpose: "presence")
        var token: Int64 = 0
        for _ in 0..<8 {
            let t = Int64.random(in: 1...Int64.max)
            if try c.run("SELECT pg_try_advisory_lock($1)", [.int(t)]).int() == 1 { token = t; break }
        }
        guard token != 0 else {
            c.close()
            throw PostgresRegistryError(.server, "could not take a presence lock on \(config.location): the server refused every token")
        }
        self.token = token
        connection = c
        watch(c)
    }

    /// Throws when the lock cannot be held again (the server is unreachable).
    func ensureHeld() throws {
        try lock.withLock {
            if closed { throw RegistryError("this registry handle is closed") }
            if let c = connection, c.isUsable { return }
            connection?.close()
            connection = nil
            let c = try PGConnection.connect(config, purpose: "presence")
            guard try c.run("SELECT pg_try_advisory_lock($1)", [.int(token)]).int() == 1 else {
                c.close()
                throw RegistryError("another connection holds this process's presence token; restart greenvn")
            }
            config.logger.info("registry presence lock taken again after the connection dropped")
            connection = c
            watch(c)
        }
    }

    /// When the server drops the connection, take the lock again in the background, so a
    /// colleague's reconcile sees this process alive again soon.
    private func watch(_ c: PGConnection) {
        c.closeFuture.whenComplete { [weak self] _ in
            DispatchQueue.global(qos: .utility).async { [weak self] in
                guard let self else { return }
                for pause in [0.1, 0.5, 1, 2, 5, 10] {
                    if self.lock.withLock({ self.closed }) { return }
                    if (try? self.ensureHeld()) != nil { return }
                    Thread.sleep(forTimeInterval: pause)
                }
            }
        }
    }

    func close() {
        lock.withLock {
            closed = true
            connection?.close()
            connection = nil
        }
    }

    /// Whether a process holds `token` on this database now (pg_locks, without taking it).
    static func isHeld(_ token: Int64, on c: PGConnection) throws -> Bool {
        let high = Int64(UInt32(truncatingIfNeeded: token >> 32))
        let low = Int64(UInt32(truncatingIfNeeded: token))
        return try c.run("""
            SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1
              AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
              AND classid = $1::bigint::oid AND objid = $2::bigint::oid)
            """, [.int(high), .int(low)]).int() == 1
    }
}
