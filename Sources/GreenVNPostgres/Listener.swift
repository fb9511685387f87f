import Foundation
import GreenVNStore
import Logging
import PostgresNIO

extension PostgresRegistry {
    /// Calls `onChange` (on a background queue) within a few milliseconds of any operator's
    /// write: LISTEN on a connection of its own. Notifications sent while that connection was
    /// down are lost, so a reconnect calls `onChange` once too (reload everything). A burst (a
    /// colleague's bulk import) is a call at once and at most one more per 50 ms. Dropping the token stops it.
    public func observe(_ onChange: @escaping @Sendable () -> Void) -> AnyObject {
        let l = Listener(config: config, onChange: onChange)
        l.start()
        return ListenerToken(l)
    }
}

final class ListenerToken {
    private let listener: Listener
    init(_ listener: Listener) { self.listener = listener }
    deinit { listener.cancel() }
}

final class Listener: @unchecked Sendable {
    private let config: PGConfig
    private let onChange: @Sendable () -> Void
    private let queue = DispatchQueue(label: "greenvn.registry.listen", qos: .utility)
    private let state = Locked((cancelled: false, scheduled: false, again: false, connection: nil as PGConnection?))
    private let listening = DispatchSemaphore(value: 0)

    init(config: PGConfig, onChange: @escaping @Sendable () -> Void) {
        self.config = config
        self.onChange = onChange
    }

    /// Starts listening; returns once the first LISTEN is in place (or after 2 s without it),
    /// so a write made right after `observe` returns is seen.
    func start() {
        let t = Thread { [self] in loop() }
        t.name = "greenvn.registry.listen"
        t.stackSize = 1 << 20
        t.start()
        _ = listening.wait(timeout: .now() + 2)
    }

    func cancel() {
        let c = state.update { s -> PGConnection? in
            s.cancelled = true
            return s.connection
        }
        c?.close()
    }

    private var cancelled: Bool { state.value.cancelled }

    private func loop() {
        var first = true
        var pause = 0.1
        while !cancelled {
            do {
                let c = try PGConnection.connect(config, purpose: "listener")
                let stop = state.update { s -> Bool in
                    if !s.cancelled { s.connection = c }
                    return s.cancelled
                }
                if stop { c.close(); return }
                c.addListener(channel: PostgresSchema.channel) { [weak self] in self?.changed() }
                try c.exec("LISTEN \(PostgresSchema.channel)")
                if first { listening.signal() } else { changed() }   // what happened while away was not notified
                first = false
                pause = 0.1
                // Wait for the connection to end; every 15 s make sure it still answers (a
                // silently dead network would otherwise hide every change until TCP gives up).
                while !cancelled {
                    if (try? c.closeFuture.wait(timeoutSeconds: 15)) == true { break }
                    if cancelled { break }
                    do { try c.exec("SELECT 1", timeout: 5) } catch { break }
                }
                c.close()
                if !cancelled { config.logger.warning("registry change feed lost; reconnecting") }
            } catch {
                if first { listening.signal(); first = false }
                config.logger.warning("registry change feed cannot connect (\(PGFailure.describe(error))); retrying in \(pause) s")
                Thread.sleep(forTimeInterval: pause)
                pause = min(pause * 2, 5)
            }
        }
    }

    /// Calls at once, then at most once more per 50 ms while a burst lasts; off the event loop
    /// (a callback that reads the registry must not block it).
    private func changed() {
        let go = state.update { s -> Bool in
            if s.cancelled { return false }
            if s.scheduled { s.again = true; return false }
            s.scheduled = true
            return true
        }
        guard go else { return }
        queue.async { [self] in
            if !cancelled { onChange() }
            queue.asyncAfter(deadline: .now() + 0.05) { [self] in
                let again = state.update { s -> Bool in
                    s.scheduled = false
                    defer { s.again = false }
                    return s.again
                }
                if again { changed() }
            }
        }
    }
}

extension EventLoopFuture where Value == Void {
    /// True when the future completed within `timeoutSeconds`, false when time ran out.
    func wait(timeoutSeconds: Double) throws -> Bool {
        let done = DispatchSemaphore(value: 0)
        whenComplete { _ in done.signal() }
        return done.wait(timeout: .now() + timeoutSeconds) == .success
    }
}
