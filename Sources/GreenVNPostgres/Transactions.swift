import Foundation
import GreenVNStore
import PostgresNIO

/// One registry transaction on a worker's connection, run again from the start when it
/// conflicts with a colleague's (serialization failure, deadlock, a unique key taken meanwhile)
/// or the connection drops before its outcome is known. A drop during COMMIT is settled by
/// asking the server whether the transaction committed (`txid_status`): a change is never lost
/// and never applied twice.
extension PostgresRegistry {
    /// Conflicts are retried this many times (each one means a colleague's transaction won).
    static let conflictAttempts = 8

    func transaction<T: Sendable>(_ w: Worker, readOnly: Bool, durable: Bool, _ body: (RegistryTransaction) throws -> T) throws -> T {
        let deadline = Date().addingTimeInterval(config.options.retrySeconds)
        var pause = 0.05
        var conflicts = 0
        var losses = 0
        var unsettled: CommitUnanswered<T>?      // a transaction whose COMMIT got no answer
        while true {
            do {
                if let u = unsettled {
                    switch try commitStatus(u.xid, w) {
                    case .committed:
                        logger.notice("registry write had committed before the connection dropped (checked after reconnecting)")
                        return u.result
                    case .aborted:
                        unsettled = nil
                    case .pending:
                        throw ConnectionLost(why: "the server is still finishing the transaction")
                    }
                }
                if !readOnly { try presence.ensureHeld() }
                let result = try once(w.use(), readOnly: readOnly, durable: durable, body)
                if losses > 0 { logger.notice("registry write done after \(losses) dropped connection(s)") }
                if !readOnly { didWrite(w) }
                return result
            } catch let e as CommitUnanswered<T> {
                losses += 1
                unsettled = e
                if Date() > deadline { throw unsure(e.cause) }
                logger.warning("registry connection dropped during COMMIT (\(PGFailure.describe(e.cause))); checking whether it committed")
            } catch where PGFailure.isConnectionLoss(error) || error is ConnectTimeout {
                losses += 1
                if closed.value || Date().addingTimeInterval(pause) > deadline {
                    throw unsettled == nil ? unreachable(error) : unsure(error)
                }
                logger.warning("registry connection lost (\(PGFailure.describe(error))); retrying the transaction")
                Thread.sleep(forTimeInterval: pause)
                pause = min(pause * 2, 2)
            } catch where PGFailure.isConflict(error) && conflicts < Self.conflictAttempts {
                conflicts += 1
                logger.debug("registry transaction conflicted (\(PGFailure.describe(error))); running it again")
                Thread.sleep(forTimeInterval: Double.random(in: 0.001...0.02) * Double(conflicts))
            } catch {
                throw registryError(error)
            }
        }
    }

    /// BEGIN … body … COMMIT, notifying the others (and bumping the change counter) when a row changed.
    private func once<T: Sendable>(_ c: PGConnection, readOnly: Bool, durable: Bool, _ body: (RegistryTransaction) throws -> T) throws -> T {
        try c.exec(readOnly ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" : "BEGIN")
        var xid: Int64 = 0
        let session = PGSession(c, owner: owner)
        let result: T
        do {
            if !readOnly {
                // durable: the commit waits for the WAL flush, whatever the server's default
                xid = try c.run("SELECT txid_current(), set_config('synchronous_commit', $1, true)",
                                [.text(durable ? "on" : "off")]).int() ?? 0
            }
            result = try body(RegistryTransaction(session))
            if session.wrote {
                try c.exec("SELECT pg_notify($1, $2), nextval('registry_change')",
                           [.text(PostgresSchema.channel), .text(String(owner.token))])
            }
        } catch {
            if c.isUsable { _ = try? c.exec("ROLLBACK") }
            throw error
        }
        do {
            try c.exec("COMMIT")
        } catch where !readOnly && (PGFailure.isConnectionLoss(error) || !c.isUsable) {
            throw CommitUnanswered(xid: xid, result: result, cause: error)
        }
        // After the commit too: a reader that read the counter before our data was visible
        // sees it move once more (see ListCaches).
        if session.wrote { _ = try? c.exec("SELECT nextval('registry_change')") }
        return result
    }

    enum CommitStatus { case committed, aborted, pending }

    /// What became of a transaction whose COMMIT got no answer, asked on a new connection.
    private func commitStatus(_ xid: Int64, _ w: Worker) throws -> CommitStatus {
        let status: String?
        do {
            status = try w.use().run("SELECT txid_status($1)", [.int(xid)]).first?.first?.text
        } catch where !PGFailure.isConnectionLoss(error) && !(error is ConnectTimeout) {
            return .aborted     // "in the future": the server restarted without it (an unflushed commit)
        }
        switch status {
        case "committed": return .committed
        case "in progress": return .pending
        default: return .aborted
        }
    }

    private func unsure(_ error: Error) -> RegistryError {
        RegistryError("""
            the team registry \(location) dropped the connection while a change was being committed and could not be \
            reached again within \(Int(config.options.retrySeconds)) s (\(PGFailure.describe(error))), so whether it was \
            recorded is unknown. Run the same command again once the server is back: a create is matched by its \
            connection_id and never made twice.
            """, unreachable: true)
    }
}

/// COMMIT was sent but its answer never came: the outcome is asked for after reconnecting.
struct CommitUnanswered<T: Sendable>: Error {
    let xid: Int64
    let result: T
    let cause: Error
}
